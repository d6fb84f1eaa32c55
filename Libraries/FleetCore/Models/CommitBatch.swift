/// Committed sequences of many vehicles in one message: each vehicle's highest contiguous committed sequence right after
/// a database write.
///
/// Published by fleet-tracking, not retained, on `fleet/v1/commits/{shard}` (``FleetTopics/commits(shard:)``), within
/// a few milliseconds of each commit. Gateways that hold the outboxes of many vehicles (fleet-sim, a bench, a depot
/// bridge) follow it to trim their outboxes at once; the retained per-vehicle ``TelemetryCommit`` stays the durable
/// record (rate-limited per vehicle, and what a reconnecting device reads).
public struct CommitBatch: Hashable, Sendable {
    /// One vehicle's committed sequence.
    public struct Entry: Hashable, Sendable {
        /// The vehicle. Wire name `vehicle_id`.
        public var vehicleID: VehicleID
        /// Every sample of the vehicle with `seq <= sequence` is committed. Wire name `seq`.
        public var sequence: UInt64

        /// Creates an entry.
        public init(vehicleID: VehicleID, sequence: UInt64) {
            self.vehicleID = vehicleID
            self.sequence = sequence
        }
    }

    /// When the commits happened (the newest of them), milliseconds since the Unix epoch. Wire name `committed_at_ms`.
    public var committedAtMillis: Int64
    /// 1 to ``FleetLimits/commitBatchEntries`` entries, at most one per vehicle. Wire name `commits`.
    public var commits: [Entry]

    /// Creates a batch (not validated until ``validate()``).
    public init(committedAtMillis: Int64, commits: [Entry]) {
        self.committedAtMillis = committedAtMillis
        self.commits = commits
    }

    /// The per-vehicle acknowledgements this batch stands for.
    public var telemetryCommits: [TelemetryCommit] {
        commits.map { TelemetryCommit(vehicleID: $0.vehicleID, sequence: $0.sequence, committedAtMillis: committedAtMillis) }
    }

    /// Checks the time and the count.
    public func validate() throws(ValidationError) {
        try Check.timestamp(committedAtMillis, "committed_at_ms")
        guard FleetLimits.commitBatchEntries.contains(commits.count) else {
            throw ValidationError(
                field: "commits",
                reason: "must hold \(FleetLimits.commitBatchEntries.lowerBound)...\(FleetLimits.commitBatchEntries.upperBound) entries (got \(commits.count))")
        }
    }
}
