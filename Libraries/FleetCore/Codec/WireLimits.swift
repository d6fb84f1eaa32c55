/// Resource limits applied by the decoders before any parsing happens.
public struct WireLimits: Hashable, Sendable {
    /// Payloads larger than this are rejected with ``WireError/Kind/tooLarge``.
    public var maxMessageBytes: Int
    /// JSON nesting deeper than this is rejected with ``WireError/Kind/tooDeep`` (top-level object = 1).
    public var maxJSONDepth: Int

    /// Creates limits.
    public init(maxMessageBytes: Int = FleetLimits.defaultMaxMessageBytes, maxJSONDepth: Int = FleetLimits.defaultMaxJSONDepth) {
        self.maxMessageBytes = maxMessageBytes
        self.maxJSONDepth = maxJSONDepth
    }

    /// 64 KiB, depth 8.
    public static let `default` = WireLimits()
}
