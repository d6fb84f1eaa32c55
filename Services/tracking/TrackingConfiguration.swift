import Configuration
import FleetService

/// Settings specific to `fleet-tracking`, read from `FLEET_TRACKING_*` (documented in docs/configuration.md).
struct TrackingConfiguration: Sendable, Equatable {
    /// What happens to telemetry from a vehicle tracking has never seen.
    enum UnknownVehiclePolicy: String, Sendable, CaseIterable {
        /// Register it on first telemetry (default).
        case autoRegister = "auto_register"
        /// Reject its messages (reason `unknown_vehicle`) until it is registered through the API.
        case reject
    }

    /// PostgreSQL schema owned by the service.
    var schema = "tracking"
    var unknownVehicles = UnknownVehiclePolicy.autoRegister
    /// Days of telemetry kept; older partitions are dropped and older device times rejected.
    var retentionDays = 30
    /// How far in the future a device time may be.
    var maxFutureSkewSeconds = 300
    /// Rows per database write.
    var batchSize = 1_000
    /// Largest database write when batches waiting for a busy writer are merged (at least ``batchSize``).
    var maxMergedBatchRows = 10_000
    /// Longest a partial batch waits before it is written. Each database write has a fixed cost (a transaction, a plan,
    /// a pass over the batch's vehicles' watermark and latest-state rows) that larger batches share: at 8,000 msg/s,
    /// 200 ms with 2 writers made batches of ~800 rows and cut PostgreSQL's CPU per message by ~40% against 50 ms with
    /// 4 writers (~160 rows; docs/benchmarks.md). It adds at most this much to the commit latency at light load, which
    /// the committed-sequence interval (1 s by default) exceeds anyway.
    var batchDelayMillis = 200
    /// Batches written concurrently; more waiting batches stop consumption (back-pressure).
    var writers = 2
    /// Messages buffered between the MQTT network thread and the batcher.
    var consumerBuffer = 20_000
    /// MQTT shared-subscription group of the replicas.
    var shareGroup = "tracking"
    /// How often each vehicle's committed sequence is published at most.
    var commitIntervalMillis = 1_000
    /// How often the compact position stream (`fleet/v1/positions/{shard}`) is published; 0 turns it off.
    var positionsIntervalMillis = 1_000
    /// Shards of the position stream (topics `fleet/v1/positions/0…n-1`) and of the commit stream
    /// (`fleet/v1/commits/0…n-1`).
    var positionShards = 4
    /// Whether every commit is also published on the commit stream (`fleet/v1/commits/{shard}`, ``CommitBatch``).
    var commitStream = true
    /// How long a sequence gap may stay open before the watermark moves past it.
    var gapTimeoutSeconds = 30
    /// Overspeed threshold for vehicles without their own limit, in m/s.
    var defaultSpeedLimitMetersPerSecond = 30.0
    /// Speed at or above which a vehicle counts as moving, in m/s.
    var movingThresholdMetersPerSecond = 0.5
    /// Largest number of items in one `POST /v1/telemetry` batch.
    var maxHTTPBatchItems = 1_000
    /// How often the live stream pushes the coalesced updates.
    var liveIntervalMillis = 500
    /// Oldest a cached `GET /v1/fleet/summary` may be (0: computed for every request).
    var summaryMaxAgeMillis = 1_000
    /// The operator console served at `/console/`.
    var console = ConsoleConfiguration()
    /// The cold archive (`FLEET_ARCHIVE_*`); off without an endpoint.
    var archive = ArchiveConfiguration()
    /// Fleet reports (`FLEET_REPORTS_*`), written to the archive's object store.
    var reports = ReportConfiguration()

    init() {}

    init(reader: ConfigReader) throws {
        schema = try reader.fleetString("fleet.tracking.schema", default: schema)
        guard MigrationRunner.isValidSchemaName(schema) else {
            throw ConfigurationError(key: "fleet.tracking.schema", reason: "must match [a-z_][a-z0-9_]{0,62}")
        }
        unknownVehicles = try reader.fleetEnum("fleet.tracking.unknownVehicles", default: unknownVehicles)
        retentionDays = try reader.fleetInt("fleet.tracking.retentionDays", default: retentionDays, range: 1...3_650)
        maxFutureSkewSeconds = try reader.fleetInt("fleet.tracking.maxFutureSkewSeconds", default: maxFutureSkewSeconds, range: 0...86_400)
        batchSize = try reader.fleetInt("fleet.tracking.batchSize", default: batchSize, range: 1...10_000)
        maxMergedBatchRows = try reader.fleetInt(
            "fleet.tracking.maxMergedBatchRows", default: max(batchSize, maxMergedBatchRows), range: batchSize...100_000)
        batchDelayMillis = try reader.fleetInt("fleet.tracking.batchDelayMillis", default: batchDelayMillis, range: 1...10_000)
        writers = try reader.fleetInt("fleet.tracking.writers", default: writers, range: 1...64)
        consumerBuffer = try reader.fleetInt("fleet.tracking.consumerBuffer", default: consumerBuffer, range: 100...1_000_000)
        shareGroup = try reader.fleetString("fleet.tracking.shareGroup", default: shareGroup)
        commitIntervalMillis = try reader.fleetInt("fleet.tracking.commitIntervalMillis", default: commitIntervalMillis, range: 10...60_000)
        positionsIntervalMillis = try reader.fleetInt("fleet.tracking.positionsIntervalMillis", default: positionsIntervalMillis, range: 0...60_000)
        positionShards = try reader.fleetInt("fleet.tracking.positionShards", default: positionShards, range: 1...64)
        commitStream = try reader.fleetInt("fleet.tracking.commitStream", default: commitStream ? 1 : 0, range: 0...1) == 1
        gapTimeoutSeconds = try reader.fleetInt("fleet.tracking.gapTimeoutSeconds", default: gapTimeoutSeconds, range: 1...86_400)
        defaultSpeedLimitMetersPerSecond = Double(
            try reader.fleetInt("fleet.tracking.defaultSpeedLimitKmh", default: 108, range: 1...400)) / 3.6
        maxHTTPBatchItems = try reader.fleetInt("fleet.tracking.maxHttpBatchItems", default: maxHTTPBatchItems, range: 1...100_000)
        liveIntervalMillis = try reader.fleetInt("fleet.tracking.liveIntervalMillis", default: liveIntervalMillis, range: 50...60_000)
        summaryMaxAgeMillis = try reader.fleetInt("fleet.tracking.summaryMaxAgeMillis", default: summaryMaxAgeMillis, range: 0...60_000)
        console = try ConsoleConfiguration(reader: reader)
        archive = try ArchiveConfiguration(reader: reader)
        reports = try ReportConfiguration(reader: reader)
    }
}
