/// A fleet report: the statistics of one period, for the whole fleet or one tag, computed from a ``ReportInput``.
///
/// Pure and deterministic: the same input gives the same report, every list in a fixed order (vehicles and tags by
/// name, causes in ``DowntimeCause`` order), so the renderings (``ReportCSV``, ``ReportHTML``) are byte-stable.
///
/// Records outside the period are ignored: alerts raised, commands issued and route plans made outside `[from, to)`,
/// incidents not open at any time in it, downtime clipped to it. In a report for one tag only the tag's vehicles count,
/// with their own alerts, commands, incidents and health; platform alerts (no vehicle) only count in fleet-wide reports,
/// and route plans (which name no vehicle) are left out of reports for one tag.
public struct FleetReport: Sendable, Codable, Hashable {
    /// The label of the vehicles without a tag in ``tags``.
    public static let untaggedLabel = "(untagged)"
    /// The label of the rows over every cause, type, action or kind.
    public static let allLabel = "(all)"
    /// How far past the period's end a predicted maintenance counts as due.
    public static let maintenanceHorizonMillis: Int64 = 14 * 86_400_000
    /// How many vehicles ``HealthSummary/worst`` lists.
    public static let worstHealthCount = 10

    /// The report's title, usually the fleet's name.
    public var title: String
    /// The tag the report is restricted to; nil for the whole fleet.
    public var tag: String?
    /// The period covered, `[from, to)`.
    public var period: ReportPeriod
    /// When the report was made (Unix milliseconds).
    public var generatedMillis: Int64
    /// Tracking stopped at its row limit: the vehicle figures cover only part of the fleet.
    public var vehiclesTruncated: Bool
    /// The fleet's (or the tag's) totals.
    public var totals: Totals
    /// The same totals per tag, by tag name, the untagged vehicles last. A vehicle with several tags counts in each.
    public var tags: [TagTotals]
    /// One row per vehicle, by id.
    public var vehicles: [VehicleRow]
    /// Downtime per cause with MTBF and MTTR.
    public var downtime: DowntimeSummary
    /// The fleet's (or the tag's) activity per day, by day.
    public var daily: [DailyRow]
    /// Health incidents (fleet-health).
    public var incidents: ComputedSection<IncidentSummary>
    /// Alerts by type (fleet-alerting).
    public var alerts: ComputedSection<AlertSummary>
    /// Commands by action (fleet-control).
    public var commands: ComputedSection<CommandSummary>
    /// Worst health and maintenance due (fleet-health).
    public var health: ComputedSection<HealthSummary>
    /// Route plans and on-time stops (fleet-routing).
    public var routing: ComputedSection<RoutingSummary>

    /// Computes the report of `input`.
    public init(input: ReportInput) {
        let span = input.period
        let selected = input.vehicles
            .filter { vehicle in input.tag.map { vehicle.tags.contains($0) } ?? true }
            .sorted { $0.vehicleID < $1.vehicleID }
        let selectedIDs = Set(selected.map(\.vehicleID))
        // Fleet-wide: every record, platform alerts included. One tag: only records of the tag's vehicles.
        let keeps: (String?) -> Bool = { vehicleID in
            guard input.tag != nil else { return true }
            guard let vehicleID else { return false }
            return selectedIDs.contains(vehicleID)
        }
        let alertRecords = input.alerts.filter { keeps($0.vehicleID) && span.contains($0.raisedMillis) }
        let commandRecords = input.commands.filter { keeps($0.vehicleID) && span.contains($0.issuedMillis) }
        let incidentRecords = input.incidents.filter { keeps($0.vehicleID) && $0.isOpen(during: span) }
        let healthRecords = input.health.filter { keeps($0.vehicleID) }
        let routeRecords = input.routes.filter { span.contains($0.createdMillis) }

        title = input.title
        tag = input.tag
        period = span
        generatedMillis = input.generatedMillis
        vehiclesTruncated = input.vehiclesTruncated
        totals = Totals(vehicles: selected, period: span)
        tags = TagTotals.grouping(selected, period: span)
        downtime = DowntimeSummary(vehicles: selected, period: span)
        daily = input.daily.sorted { $0.dayStartMillis < $1.dayStartMillis }.map(DailyRow.init(day:))
        incidents = incidentRecords.map { IncidentSummary(records: $0, period: span) }
        alerts = alertRecords.map { AlertSummary(records: $0, period: span) }
        commands = commandRecords.map { CommandSummary(records: $0) }
        health = healthRecords.map { HealthSummary(records: $0, period: span) }
        if input.tag != nil, input.routes.isAvailable {
            routing = ComputedSection(unavailable: .fleetWideOnly("fleet-routing"))
        } else {
            routing = routeRecords.map { RoutingSummary(records: $0) }
        }

        let incidentCounts = incidentRecords.isAvailable ? FleetReport.countByVehicle(incidentRecords.records.map(\.vehicleID)) : nil
        let alertCounts = alertRecords.isAvailable ? FleetReport.countByVehicle(alertRecords.records.compactMap(\.vehicleID)) : nil
        var healthByVehicle: [String: VehicleHealthRecord] = [:]
        for record in HealthSummary.oneRecordPerVehicle(healthRecords.records) { healthByVehicle[record.vehicleID] = record }
        vehicles = selected.map { vehicle in
            VehicleRow(
                vehicle: vehicle, period: span, incidents: incidentCounts.map { $0[vehicle.vehicleID, default: 0] },
                alerts: alertCounts.map { $0[vehicle.vehicleID, default: 0] }, health: healthByVehicle[vehicle.vehicleID])
        }
    }

    /// The report's sections that have no figures, with their names (`Alerts`, …), in the order the page shows them.
    public var unavailableSections: [(name: String, reason: ReportUnavailable)] {
        var sections: [(name: String, reason: ReportUnavailable)] = []
        if let reason = incidents.unavailable { sections.append(("Incidents", reason)) }
        if let reason = alerts.unavailable { sections.append(("Alerts", reason)) }
        if let reason = commands.unavailable { sections.append(("Commands", reason)) }
        if let reason = health.unavailable { sections.append(("Health", reason)) }
        if let reason = routing.unavailable { sections.append(("Routing", reason)) }
        return sections
    }

    /// How many times each vehicle id occurs.
    static func countByVehicle(_ vehicleIDs: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for id in vehicleIDs { counts[id, default: 0] += 1 }
        return counts
    }

    enum CodingKeys: String, CodingKey {
        case title, tag, period
        case generatedMillis = "generated_ms"
        case vehiclesTruncated = "vehicles_truncated"
        case totals, tags, vehicles, downtime, daily, incidents, alerts, commands, health, routing
    }
}
