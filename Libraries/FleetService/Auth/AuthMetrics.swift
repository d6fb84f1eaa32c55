import CoreMetrics

/// The authentication and audit counters every service shares, made once per process.
public struct AuthMetrics: Sendable {
    /// `fleet_auth_failures_total{reason}`: refused tokens (``AuthenticationFailure/Reason``, plus `scope`, `vehicle`).
    public let failures = CounterFamily("fleet_auth_failures_total", labels: "reason")
    /// `fleet_auth_rate_limited_total`: requests answered 429.
    public let rateLimited = Counter(label: "fleet_auth_rate_limited_total")
    /// `fleet_auth_introspections_total{outcome}`: suite-token checks sent to the identity service (`active`,
    /// `inactive`, `error`); cached answers are not counted.
    public let introspections = CounterFamily("fleet_auth_introspections_total", labels: "outcome")
    /// `fleet_audit_write_failures_total`: audit entries ``AuditMiddleware`` could not write.
    public let auditWriteFailures = Counter(label: "fleet_audit_write_failures_total")

    /// The process's counters.
    public static let shared = AuthMetrics()
}
