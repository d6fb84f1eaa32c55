/// Everything a ``FleetReport`` is built from, as fleet-tracking gathers it: its own telemetry figures and the other
/// services' records of the same period. JSON with snake_case keys, so it can be stored beside the rendered files and
/// the report rebuilt from it.
public struct ReportInput: Sendable, Codable, Hashable {
    /// The report's title, usually the fleet's name.
    public var title: String
    /// The period covered, `[from, to)`.
    public var period: ReportPeriod
    /// Only vehicles with this tag count (and only their alerts, commands, incidents and health); nil for the whole
    /// fleet. ``daily`` cannot be split by the builder: give the tag's own daily figures.
    public var tag: String?
    /// When the report was made (Unix milliseconds).
    public var generatedMillis: Int64
    /// Every vehicle's activity over the period (fleet-tracking), whether it moved or not.
    public var vehicles: [VehicleActivity]
    /// Tracking stopped at its row limit: ``vehicles`` is only the first part of the fleet.
    public var vehiclesTruncated: Bool
    /// The fleet's (or the tag's) activity per UTC day, for the charts.
    public var daily: [DailyActivity]
    /// Alerts raised in the period (fleet-alerting).
    public var alerts: ReportSection<AlertRecord>
    /// Commands issued in the period (fleet-control).
    public var commands: ReportSection<CommandRecord>
    /// Health incidents open at any time in the period (fleet-health).
    public var incidents: ReportSection<IncidentRecord>
    /// Vehicles' health at the end of the period (fleet-health).
    public var health: ReportSection<VehicleHealthRecord>
    /// Route plans made in the period (fleet-routing).
    public var routes: ReportSection<RouteRecord>

    /// An input from its parts.
    public init(
        title: String, period: ReportPeriod, tag: String? = nil, generatedMillis: Int64, vehicles: [VehicleActivity],
        vehiclesTruncated: Bool = false, daily: [DailyActivity], alerts: ReportSection<AlertRecord>,
        commands: ReportSection<CommandRecord>, incidents: ReportSection<IncidentRecord>,
        health: ReportSection<VehicleHealthRecord>, routes: ReportSection<RouteRecord>
    ) {
        self.title = title
        self.period = period
        self.tag = tag
        self.generatedMillis = generatedMillis
        self.vehicles = vehicles
        self.vehiclesTruncated = vehiclesTruncated
        self.daily = daily
        self.alerts = alerts
        self.commands = commands
        self.incidents = incidents
        self.health = health
        self.routes = routes
    }

    enum CodingKeys: String, CodingKey {
        case title, period, tag
        case generatedMillis = "generated_ms"
        case vehicles
        case vehiclesTruncated = "vehicles_truncated"
        case daily, alerts, commands, incidents, health, routes
    }
}
