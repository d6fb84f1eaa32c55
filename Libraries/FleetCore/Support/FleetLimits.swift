/// The single source of truth for every range and size limit that FleetCore validation enforces.
///
/// The JSON Schemas in `docs/schemas/` repeat these numbers; a test keeps them in agreement.
/// All string lengths are counted in Unicode scalars (what JSON Schema's `maxLength` counts).
public enum FleetLimits {
    /// Latitude in degrees (WGS 84).
    public static let latitude: ClosedRange<Double> = -90...90
    /// Longitude in degrees (WGS 84).
    public static let longitude: ClosedRange<Double> = -180...180
    /// Horizontal position accuracy (1 σ radius) in metres.
    public static let accuracyMeters: ClosedRange<Double> = 0...100_000
    /// Ground speed in metres per second; 120 m/s (432 km/h) is far above any road vehicle.
    public static let speedMetersPerSecond: ClosedRange<Double> = 0...120
    /// Heading in degrees clockwise from true north; 360 is normalised to 0 by the sender.
    public static let headingDegrees: Range<Double> = 0..<360
    /// Odometer in metres (10 million km).
    public static let odometerMeters: ClosedRange<Double> = 0...10_000_000_000
    /// Battery / fuel level and host utilisation percentages.
    public static let percent: ClosedRange<Double> = 0...100
    /// Engine (or drive unit) temperature in degrees Celsius.
    public static let engineTemperatureCelsius: ClosedRange<Double> = -60...200
    /// Engine revolutions per minute.
    public static let rpm: ClosedRange<Double> = 0...20_000
    /// Host network throughput in bytes per second (1 TB/s).
    public static let networkBytesPerSecond: ClosedRange<UInt64> = 0...1_000_000_000_000
    /// A commanded or desired speed limit in metres per second.
    public static let speedLimitMetersPerSecond: ClosedRange<Double> = 1...120
    /// Any timestamp in milliseconds since the Unix epoch: 1970-01-01 up to 9999-12-31T23:59:59.999Z.
    public static let timestampMillis: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Length of a ``VehicleID`` or ``MessageID``.
    public static let identifierLength: ClosedRange<Int> = 1...64
    /// The identifier alphabet as a regular expression (used by the JSON Schemas).
    public static let identifierPattern = "^[A-Za-z0-9._-]{1,64}$"
    /// Maximum number of fault codes in one telemetry sample.
    public static let maxFaultCodes = 32
    /// Most engine sensor values in one telemetry sample's diagnostics (C-MAPSS has 21).
    public static let maxEngineSensors = 32
    /// Any engine sensor reading (temperatures in °R, pressures, speeds in rpm, ratios, flows).
    public static let engineSensor: ClosedRange<Double> = -1_000_000...1_000_000
    /// Engine and battery cycle counters.
    public static let cycleCounter: ClosedRange<UInt64> = 0...100_000_000
    /// A battery's capacity, Ah.
    public static let batteryCapacityAh: ClosedRange<Double> = 0...100_000
    /// Length of one fault code (same alphabet as identifiers).
    public static let faultCodeLength: ClosedRange<Int> = 1...32
    /// The fault-code alphabet as a regular expression.
    public static let faultCodePattern = "^[A-Za-z0-9._-]{1,32}$"
    /// Length of a route (plan) id or a route stop id.
    public static let routeIdentifierLength: ClosedRange<Int> = 1...64
    /// The route-identifier alphabet as a regular expression: like ``identifierPattern`` without the dot.
    public static let routeIdentifierPattern = "^[A-Za-z0-9_-]{1,64}$"
    /// Most vehicle positions in one ``PositionBatch``: at most ~275 bytes of JSON each (64-character id, 20-digit
    /// sequence, 17-digit numbers), so even the worst case stays inside the default 64 KiB message limit.
    public static let positionBatchEntries: ClosedRange<Int> = 1...200
    /// Most vehicles in one ``CommitBatch``: at most ~115 bytes of JSON each (64-character id, 20-digit sequence), so
    /// even the worst case stays inside the default 64 KiB message limit.
    public static let commitBatchEntries: ClosedRange<Int> = 1...500
    /// How many stops one `follow_route` command carries.
    public static let routeStops: ClosedRange<Int> = 1...200
    /// How long a vehicle stands at one route stop, in seconds (at most a day).
    public static let routeServiceSeconds: ClosedRange<Int> = 0...86_400
    /// Maximum length of a free-text `reason`.
    public static let maxReasonLength = 256
    /// Maximum length of an alert `summary` (which must not be empty).
    public static let maxSummaryLength = 1024
    /// Maximum length of an alert `dedup_key` (which must not be empty).
    public static let maxDedupKeyLength = 256
    /// Maximum number of attributes on a ``FleetEvent``.
    public static let maxAttributes = 32
    /// Length of an attribute key.
    public static let attributeKeyLength: ClosedRange<Int> = 1...64
    /// The attribute-key alphabet as a regular expression.
    public static let attributeKeyPattern = "^[a-z0-9._-]{1,64}$"
    /// Maximum length of an attribute value.
    public static let maxAttributeValueLength = 256

    /// The wire-format version every message carries (`"v"` in JSON, byte 1 in binary).
    public static let wireVersion = 1
    /// Default maximum encoded message size accepted by the decoders (64 KiB).
    public static let defaultMaxMessageBytes = 64 * 1024
    /// Default maximum JSON nesting depth accepted by the decoder.
    public static let defaultMaxJSONDepth = 8
}
