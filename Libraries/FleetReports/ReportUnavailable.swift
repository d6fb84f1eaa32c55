/// Why one section of a report has no figures: the service that owns its records is not configured, the request for
/// them failed, or the records cannot be split the way the report asks (route plans per tag).
public struct ReportUnavailable: Sendable, Codable, Hashable {
    /// The kind of reason.
    public enum Reason: String, Sendable, Codable, Hashable {
        /// The report builder has no address for the service.
        case notConfigured = "not_configured"
        /// The request to the service failed; ``ReportUnavailable/message`` says how.
        case requestFailed = "request_failed"
        /// The records carry no vehicle, so a report for one tag cannot include them.
        case fleetWideOnly = "fleet_wide_only"
    }

    /// The kind of reason.
    public var reason: Reason
    /// The service that owns the records (`fleet-alerting`, …).
    public var service: String
    /// Details: the error of a failed request.
    public var message: String?

    /// A reason of any kind.
    public init(reason: Reason, service: String, message: String? = nil) {
        self.reason = reason
        self.service = service
        self.message = message
    }

    /// The service is not configured.
    public static func notConfigured(_ service: String) -> ReportUnavailable {
        ReportUnavailable(reason: .notConfigured, service: service)
    }

    /// The request to the service failed with `message`.
    public static func requestFailed(_ service: String, message: String) -> ReportUnavailable {
        ReportUnavailable(reason: .requestFailed, service: service, message: message)
    }

    /// The records are fleet-wide only (they name no vehicle), so a report for one tag leaves them out.
    public static func fleetWideOnly(_ service: String) -> ReportUnavailable {
        ReportUnavailable(reason: .fleetWideOnly, service: service)
    }

    /// One plain sentence for readers of the report, e.g. `request to fleet-alerting failed: timed out`.
    public var explanation: String {
        switch reason {
        case .notConfigured:
            return "\(service) is not configured"
        case .requestFailed:
            return "request to \(service) failed: \(message ?? "unknown error")"
        case .fleetWideOnly:
            return "\(service) records are fleet-wide (they name no vehicle), so a report for one tag leaves them out"
        }
    }
}
