/// Where vehicles are: the newest stored position of each vehicle that reported since the previous batch.
///
/// Published by fleet-tracking, not retained, on `fleet/v1/positions/{shard}` (``FleetTopics/positions(shard:)``),
/// about once a second per shard, after the telemetry it comes from is committed. Services that only need positions
/// (fleet-control's selections, the console) follow this stream instead of every telemetry message: at 1 Hz per
/// vehicle that is one message per 200 vehicles instead of 200.
public struct PositionBatch: Hashable, Sendable {
    /// One vehicle's newest stored position.
    public struct Entry: Hashable, Sendable {
        /// The vehicle. Wire name `vehicle_id`.
        public var vehicleID: VehicleID
        /// The sequence number of the telemetry sample. Wire name `seq`.
        public var sequence: UInt64
        /// The sample's device time, milliseconds since the Unix epoch. Wire name `device_time_ms`.
        public var deviceTimeMillis: Int64
        /// Wire name `lat`.
        public var latitude: Double
        /// Wire name `lon`.
        public var longitude: Double
        /// Wire name `speed_mps`.
        public var speedMetersPerSecond: Double
        /// Wire name `heading_deg`.
        public var headingDegrees: Double
        /// Wire name `status`.
        public var status: VehicleStatus

        /// Creates an entry (not validated until ``PositionBatch/validate()``).
        public init(
            vehicleID: VehicleID, sequence: UInt64, deviceTimeMillis: Int64, latitude: Double, longitude: Double,
            speedMetersPerSecond: Double, headingDegrees: Double, status: VehicleStatus
        ) {
            self.vehicleID = vehicleID
            self.sequence = sequence
            self.deviceTimeMillis = deviceTimeMillis
            self.latitude = latitude
            self.longitude = longitude
            self.speedMetersPerSecond = speedMetersPerSecond
            self.headingDegrees = headingDegrees
            self.status = status
        }

        /// The entry's position.
        public var position: Position { Position(latitude: latitude, longitude: longitude) }

        /// The position of a telemetry sample.
        public init(_ telemetry: Telemetry) {
            self.init(
                vehicleID: telemetry.vehicleID, sequence: telemetry.sequence, deviceTimeMillis: telemetry.deviceTimeMillis,
                latitude: telemetry.position.latitude, longitude: telemetry.position.longitude,
                speedMetersPerSecond: telemetry.speedMetersPerSecond, headingDegrees: telemetry.headingDegrees, status: telemetry.status)
        }

        /// Puts `entries` into `table` (by vehicle id) where they are newer than what it holds for their vehicle.
        public static func keepNewest(_ entries: some Sequence<Entry>, in table: inout [String: Entry]) {
            for entry in entries {
                if let known = table[entry.vehicleID.rawValue], !entry.isNewer(than: known) { continue }
                table[entry.vehicleID.rawValue] = entry
            }
        }

        /// Whether this entry is newer than `other` (device time, then sequence): how consumers keep the newest
        /// when two tracking replicas report the same vehicle.
        public func isNewer(than other: Entry) -> Bool {
            (deviceTimeMillis, sequence) > (other.deviceTimeMillis, other.sequence)
        }
    }

    /// When the batch was published, milliseconds since the Unix epoch. Wire name `published_at_ms`.
    public var publishedAtMillis: Int64
    /// 1 to ``FleetLimits/positionBatchEntries`` positions, at most one per vehicle. Wire name `positions`.
    public var positions: [Entry]

    /// Creates a batch (not validated until ``validate()``).
    public init(publishedAtMillis: Int64, positions: [Entry]) {
        self.publishedAtMillis = publishedAtMillis
        self.positions = positions
    }

    /// Checks the count, and every entry's time, coordinates, speed and heading.
    public func validate() throws(ValidationError) {
        try Check.timestamp(publishedAtMillis, "published_at_ms")
        guard FleetLimits.positionBatchEntries.contains(positions.count) else {
            throw ValidationError(
                field: "positions",
                reason: "must hold \(FleetLimits.positionBatchEntries.lowerBound)...\(FleetLimits.positionBatchEntries.upperBound) entries (got \(positions.count))")
        }
        for (index, entry) in positions.enumerated() {
            let path = "positions[\(index)]"
            try Check.timestamp(entry.deviceTimeMillis, "\(path).device_time_ms")
            try Check.range(entry.latitude, FleetLimits.latitude, "\(path).lat")
            try Check.range(entry.longitude, FleetLimits.longitude, "\(path).lon")
            try Check.range(entry.speedMetersPerSecond, FleetLimits.speedMetersPerSecond, "\(path).speed_mps")
            try Check.range(entry.headingDegrees, FleetLimits.headingDegrees, "\(path).heading_deg")
        }
    }
}
