public import FleetCore

/// How the ``SimulationGateway`` paces, buffers and resends.
public struct GatewayConfiguration: Hashable, Sendable {
    /// Wall-clock time between simulation steps; every step publishes one sample per vehicle.
    public var tickInterval: Duration
    /// Simulated seconds per wall-clock second (1 = real time; 10 = ten times faster).
    public var timeScale: Double
    /// Unconfirmed samples kept per vehicle; the oldest is evicted (and counted) when full.
    public var outboxCapacity: Int
    /// How long a sent sample may stay unconfirmed before it is sent again (doubling per attempt, at most 32×).
    public var resendTimeout: Duration
    /// Resends allowed per step across the fleet (rate limit).
    public var maxResendsPerTick: Int
    /// Samples one vehicle may publish per step while catching up after an offline period.
    public var maxCatchUpPerVehicle: Int
    /// How long to collect retained commits and desired states after subscribing, before the first sample.
    public var retainedWait: Duration
    /// Wire format of telemetry payloads.
    public var wireFormat: WireFormat
    /// Messages handed to the MQTT client and not yet acknowledged, above which no new samples are sent (they wait
    /// in the outbox).
    public var maxInFlight: Int
    /// On graceful shutdown, how long to keep resending unconfirmed samples (no new ones are made) until every one is
    /// committed, as a vehicle parked with its buffer would; zero stops at once, leaving them unsent.
    public var drainTimeout: Duration

    /// Creates a configuration; the defaults are for a real-time simulator against a local broker.
    public init(
        tickInterval: Duration = .seconds(1),
        timeScale: Double = 1,
        outboxCapacity: Int = 600,
        resendTimeout: Duration = .seconds(10),
        maxResendsPerTick: Int = 1_000,
        maxCatchUpPerVehicle: Int = 20,
        retainedWait: Duration = .seconds(2),
        wireFormat: WireFormat = .json,
        maxInFlight: Int = 50_000,
        drainTimeout: Duration = .zero
    ) {
        self.tickInterval = tickInterval
        self.timeScale = timeScale
        self.outboxCapacity = max(1, outboxCapacity)
        self.resendTimeout = resendTimeout
        self.maxResendsPerTick = max(0, maxResendsPerTick)
        self.maxCatchUpPerVehicle = max(1, maxCatchUpPerVehicle)
        self.retainedWait = retainedWait
        self.wireFormat = wireFormat
        self.maxInFlight = max(1, maxInFlight)
        self.drainTimeout = drainTimeout
    }

    var tickSeconds: Double { tickInterval.seconds }
    var resendTimeoutMillis: Int64 { Int64(resendTimeout.seconds * 1000) }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
