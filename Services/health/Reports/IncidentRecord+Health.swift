import FleetCore
import FleetHealthRules
import FleetReports

extension IncidentRecord {
    /// The report's record of a downtime incident: its kind is the incident's cause (`fault`, `silent`, `offline`,
    /// `paused`) and its severity the one of the problem that opened it (see ``severity(of:faultCodes:)``).
    init(_ incident: Incident, faultCodes: FaultCodeTable) {
        self.init(
            id: incident.id, vehicleID: incident.vehicleID.rawValue, kind: incident.cause.rawValue,
            severity: Self.severity(of: incident, faultCodes: faultCodes).rawValue, openedMillis: incident.startedMillis,
            closedMillis: incident.endedMillis)
    }

    /// Incidents store no severity, so it is derived as the rules grade what opens them: a fault incident is opened by
    /// status `fault` (critical) or by a breakdown code, whose severity is the fault table's (the detail starts with
    /// the code: `P0A0F: …`, `status: …`; a code the table does not know is critical, since it broke the vehicle
    /// down); silence is a warning; offline and paused (often the end of a shift, or an operator's decision) are info.
    static func severity(of incident: Incident, faultCodes: FaultCodeTable) -> Severity {
        switch incident.cause {
        case .fault:
            let code = String(incident.detail.prefix { $0 != ":" })
            return faultCodes.knows(code) ? faultCodes.info(for: code).severity : .critical
        case .silent: return .warning
        case .offline, .paused: return .info
        }
    }
}
