import FleetReports

/// A small hand-made week: three vehicles (two tagged `vans`, one of them also `north`, one untagged), a few downtime
/// episodes, alerts with and without acknowledgement, commands, incidents, health records and two route plans, plus
/// one record of each kind outside the period that every figure must ignore. The expected figures in the tests are
/// worked out by hand from these numbers.
enum ReportFixture {
    /// 2024-05-06T00:00:00Z.
    static let from: Int64 = 1_714_953_600_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    /// 2024-05-13T00:00:00Z.
    static let to = from + 7 * day
    static let period = ReportPeriod(fromMillis: from, toMillis: to)
    /// 2024-05-13T01:00:00Z.
    static let generated = to + hour

    /// `seconds` after the period's start.
    static func at(_ seconds: Int64) -> Int64 { from + seconds * 1000 }

    static let vehicles: [VehicleActivity] = [
        VehicleActivity(
            vehicleID: "van-1", tags: ["north", "vans"], distanceMeters: 120_000, drivingSeconds: 36_000, stops: 12, batteryUsedPct: 40,
            fuelUsedPct: nil, samples: 1000,
            downtime: [
                DowntimeEpisode(cause: .fault, startMillis: from + 10 * hour, endMillis: from + 12 * hour),
                DowntimeEpisode(cause: .paused, startMillis: from + 30 * hour, endMillis: from + 31 * hour),
            ]),
        VehicleActivity(
            vehicleID: "van-2", tags: ["vans"], distanceMeters: 80_000, drivingSeconds: 18_000, stops: 8, batteryUsedPct: 25.5,
            fuelUsedPct: 10, samples: 500,
            downtime: [
                DowntimeEpisode(cause: .fault, startMillis: from + 50 * hour, endMillis: from + 54 * hour),
                // Runs past the end: the 3 hours inside count.
                DowntimeEpisode(cause: .offline, startMillis: to - 3 * hour, endMillis: to + 2 * hour),
                // Wholly before the period: ignored.
                DowntimeEpisode(cause: .charging, startMillis: from - 5 * hour, endMillis: from - hour),
            ]),
        VehicleActivity(
            vehicleID: "bot-3", tags: [], distanceMeters: 0, drivingSeconds: 0, stops: 0, batteryUsedPct: nil, fuelUsedPct: nil,
            samples: 0, downtime: []),
    ]

    /// Kilometres per day, 200 in all.
    static let dailyKilometres: [Double] = [30, 25, 40, 0, 35, 50, 20]

    /// Given latest day first, so the report must sort them.
    static let daily: [DailyActivity] = dailyKilometres.enumerated().reversed().map { item -> DailyActivity in
        DailyActivity(
            dayStartMillis: from + Int64(item.offset) * day, distanceMeters: item.element * 1000, drivingSeconds: item.element * 270,
            activeVehicles: item.element > 0 ? 2 : 0)
    }

    static let alerts: [AlertRecord] = [
        AlertRecord(id: "a1", vehicleID: "van-1", type: "low_battery", severity: "warning", raisedMillis: at(1000), acknowledgedMillis: at(1060), resolvedMillis: nil),
        AlertRecord(id: "a2", vehicleID: "van-1", type: "low_battery", severity: "warning", raisedMillis: at(2000), acknowledgedMillis: at(2030), resolvedMillis: at(3000)),
        AlertRecord(id: "a3", vehicleID: "van-2", type: "low_battery", severity: "warning", raisedMillis: at(3000), acknowledgedMillis: at(3120), resolvedMillis: nil),
        AlertRecord(id: "a4", vehicleID: "van-2", type: "low_battery", severity: "warning", raisedMillis: at(4000), acknowledgedMillis: nil, resolvedMillis: nil),
        AlertRecord(id: "a5", vehicleID: "van-2", type: "overspeed", severity: "critical", raisedMillis: at(5000), acknowledgedMillis: nil, resolvedMillis: nil),
        AlertRecord(id: "a6", vehicleID: nil, type: "service_down", severity: "critical", raisedMillis: at(6000), acknowledgedMillis: at(6600), resolvedMillis: nil),
        // Acknowledged only after the period's end: unacknowledged at the end.
        AlertRecord(id: "a7", vehicleID: "van-1", type: "overspeed", severity: "critical", raisedMillis: to - 100_000, acknowledgedMillis: to + 50_000, resolvedMillis: nil),
        AlertRecord(id: "a8", vehicleID: "bot-3", type: "low_battery", severity: "warning", raisedMillis: at(7000), acknowledgedMillis: at(7010), resolvedMillis: nil),
        // Raised before the period: ignored.
        AlertRecord(id: "a9", vehicleID: "van-1", type: "low_battery", severity: "warning", raisedMillis: from - 10_000, acknowledgedMillis: from - 5_000, resolvedMillis: nil),
    ]

    static let commands: [CommandRecord] = [
        CommandRecord(id: "c1", vehicleID: "van-1", action: "pause", outcome: "acknowledged", issuedMillis: at(100), answeredMillis: at(100) + 5),
        CommandRecord(id: "c2", vehicleID: "van-2", action: "pause", outcome: "acknowledged", issuedMillis: at(200), answeredMillis: at(200) + 12),
        CommandRecord(id: "c3", vehicleID: "van-2", action: "pause", outcome: "expired", issuedMillis: at(300), answeredMillis: nil),
        CommandRecord(id: "c4", vehicleID: "van-1", action: "resume", outcome: "rejected", issuedMillis: at(400), answeredMillis: at(400) + 8),
        CommandRecord(id: "c5", vehicleID: "bot-3", action: "resume", outcome: "failed", issuedMillis: at(500), answeredMillis: at(500) + 40),
        CommandRecord(id: "c6", vehicleID: "van-1", action: "pause", outcome: "unknown_state", issuedMillis: at(600), answeredMillis: at(600) + 3),
        // Issued at the period's end (excluded: the period is [from, to)).
        CommandRecord(id: "c7", vehicleID: "van-1", action: "pause", outcome: "acknowledged", issuedMillis: to, answeredMillis: to + 1),
    ]

    static let incidents: [IncidentRecord] = [
        // Opened before the period, closed inside: 2 h to close.
        IncidentRecord(id: "i1", vehicleID: "van-1", kind: "fault", severity: "critical", openedMillis: from - hour, closedMillis: from + hour),
        IncidentRecord(id: "i2", vehicleID: "van-2", kind: "fault", severity: "critical", openedMillis: at(10_000), closedMillis: at(10_000) + 4 * hour),
        IncidentRecord(id: "i3", vehicleID: "van-2", kind: "overheating", severity: "warning", openedMillis: at(20_000), closedMillis: nil),
        // Closed after the end: open at the end, not in the time to close.
        IncidentRecord(id: "i4", vehicleID: "bot-3", kind: "overheating", severity: "warning", openedMillis: at(30_000), closedMillis: to + 100_000),
        // Closed before the period: ignored.
        IncidentRecord(id: "i5", vehicleID: "van-1", kind: "fault", severity: "critical", openedMillis: from - 3 * hour, closedMillis: from - 2 * hour),
    ]

    static let health: [VehicleHealthRecord] = [
        VehicleHealthRecord(vehicleID: "van-1", score: 80, maintenanceDueMillis: to + 7 * day, reason: "battery end of life"),
        VehicleHealthRecord(vehicleID: "van-2", score: 35.5, maintenanceDueMillis: nil, reason: "fault"),
        // Same score as van-2: ordered by id. Maintenance after the 14-day horizon.
        VehicleHealthRecord(vehicleID: "bot-3", score: 35.5, maintenanceDueMillis: to + 20 * day, reason: nil),
        // Not in tracking's list: counts in a fleet-wide report only.
        VehicleHealthRecord(vehicleID: "ghost-9", score: 90, maintenanceDueMillis: to + day, reason: "remaining useful life"),
    ]

    static let routes: [RouteRecord] = [
        RouteRecord(id: "r2", createdMillis: at(900), vehicles: 1, stops: 5, served: 4, onTime: 4, late: 0),
        RouteRecord(id: "r1", createdMillis: at(500), vehicles: 2, stops: 10, served: 8, onTime: 6, late: 2),
        // Made before the period: ignored.
        RouteRecord(id: "r0", createdMillis: from - 1000, vehicles: 3, stops: 9, served: 9, onTime: 9, late: 0),
    ]

    /// The week's input, fleet-wide or for one tag.
    static func input(tag: String? = nil) -> ReportInput {
        ReportInput(
            title: "Riviera Deliveries", period: period, tag: tag, generatedMillis: generated, vehicles: vehicles, daily: daily,
            alerts: ReportSection(records: alerts), commands: ReportSection(records: commands),
            incidents: ReportSection(records: incidents), health: ReportSection(records: health), routes: ReportSection(records: routes))
    }

    /// A period without any vehicle or record.
    static func emptyInput() -> ReportInput {
        ReportInput(
            title: "Empty", period: period, generatedMillis: generated, vehicles: [], daily: [], alerts: ReportSection(records: []),
            commands: ReportSection(records: []), incidents: ReportSection(records: []), health: ReportSection(records: []),
            routes: ReportSection(records: []))
    }
}

/// Whether two optional numbers are both nil or within `tolerance` of each other.
func approximately(_ actual: Double?, _ expected: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case let (actual?, expected?): return abs(actual - expected) <= tolerance
    default: return false
    }
}
