public import Foundation

/// An alert raised by a rule, de-duplicated by `dedup_key` (one open alert per key).
public struct Alert: Hashable, Sendable {
    /// Unique alert id. Wire name `id`.
    public var id: MessageID
    /// The rule that raised it. Wire name `rule_id`.
    public var ruleID: MessageID
    /// Identity for de-duplication, e.g. `overspeed:truck-7` (1–256 characters). Wire name `dedup_key`.
    public var dedupKey: String
    /// Life-cycle state. Wire name `status`.
    public var status: AlertStatus
    /// Urgency. Wire name `severity`.
    public var severity: Severity
    /// The vehicle concerned, if any. Wire name `vehicle_id`.
    public var vehicleID: VehicleID?
    /// One-line human-readable description (1–1024 characters). Wire name `summary`.
    public var summary: String
    /// When it first fired, milliseconds since the Unix epoch. Wire name `fired_at_ms`.
    public var firedAtMillis: Int64
    /// When it last changed (≥ `fired_at_ms`). Wire name `updated_at_ms`.
    public var updatedAtMillis: Int64
    /// When it was acknowledged (required when `status` is `acknowledged`). Wire name `acknowledged_at_ms`.
    public var acknowledgedAtMillis: Int64?
    /// When it resolved (required when, and only when, `status` is `resolved`). Wire name `resolved_at_ms`.
    public var resolvedAtMillis: Int64?

    /// Creates an alert (not validated until ``validate()``).
    public init(
        id: MessageID, ruleID: MessageID, dedupKey: String, status: AlertStatus, severity: Severity,
        vehicleID: VehicleID? = nil, summary: String, firedAtMillis: Int64, updatedAtMillis: Int64,
        acknowledgedAtMillis: Int64? = nil, resolvedAtMillis: Int64? = nil
    ) {
        self.id = id
        self.ruleID = ruleID
        self.dedupKey = dedupKey
        self.status = status
        self.severity = severity
        self.vehicleID = vehicleID
        self.summary = summary
        self.firedAtMillis = firedAtMillis
        self.updatedAtMillis = updatedAtMillis
        self.acknowledgedAtMillis = acknowledgedAtMillis
        self.resolvedAtMillis = resolvedAtMillis
    }

    /// ``firedAtMillis`` as a `Date`.
    public var firedAt: Date { TimestampPolicy.date(fromMillis: firedAtMillis) }

    /// Checks lengths, timestamps, their order, and that the timestamps match the status.
    public func validate() throws(ValidationError) {
        try Check.text(dedupKey, length: 1...FleetLimits.maxDedupKeyLength, "dedup_key")
        try Check.text(summary, length: 1...FleetLimits.maxSummaryLength, "summary")
        try Check.timestamp(firedAtMillis, "fired_at_ms")
        try Check.timestamp(updatedAtMillis, "updated_at_ms")
        guard updatedAtMillis >= firedAtMillis else {
            throw ValidationError(field: "updated_at_ms", reason: "must not be before fired_at_ms (\(firedAtMillis))")
        }
        if let acknowledgedAtMillis {
            try Check.timestamp(acknowledgedAtMillis, "acknowledged_at_ms")
            guard acknowledgedAtMillis >= firedAtMillis else {
                throw ValidationError(field: "acknowledged_at_ms", reason: "must not be before fired_at_ms (\(firedAtMillis))")
            }
        } else if status == .acknowledged {
            throw ValidationError(field: "acknowledged_at_ms", reason: "is required when status is acknowledged")
        }
        if let resolvedAtMillis {
            try Check.timestamp(resolvedAtMillis, "resolved_at_ms")
            guard status == .resolved else {
                throw ValidationError(field: "resolved_at_ms", reason: "is only allowed when status is resolved")
            }
            guard resolvedAtMillis >= firedAtMillis else {
                throw ValidationError(field: "resolved_at_ms", reason: "must not be before fired_at_ms (\(firedAtMillis))")
            }
        } else if status == .resolved {
            throw ValidationError(field: "resolved_at_ms", reason: "is required when status is resolved")
        }
    }
}
