public import FleetPrognostics

/// The models fleet-health runs live: remaining useful life of engines that report C-MAPSS-style sensor snapshots, and
/// end of life of traction batteries that report their measured capacity per cycle.
public struct Prognostics: Sendable {
    /// The shipped RUL model (FD001).
    public var engine: RULModel
    /// The shipped battery end-of-life model (NASA cells as references).
    public var battery: BatteryLifeModel
    /// The reference cells' rated capacity, Ah: a vehicle's capacities are scaled to it before forecasting.
    public var referenceRatedAh: Double = 2.0
    /// Cycles kept per battery (older ones are dropped; the model reads the recent trend).
    public var maxBatteryCycles = 1_000

    /// Creates the live prognostics from loaded models.
    public init(engine: RULModel, battery: BatteryLifeModel) {
        self.engine = engine
        self.battery = battery
    }

    /// The shipped models.
    public static func bundled() throws -> Prognostics {
        Prognostics(engine: try RULModel.bundled(), battery: try BatteryLifeModel.bundled())
    }

    /// Positions of the model's sensors in a C-MAPSS-ordered snapshot (`s1` at 0).
    var sensorIndices: [Int] { engine.sensorNames.compactMap(CMAPSSData.sensorIndex) }
}

/// A remaining-useful-life forecast.
public struct EngineForecast: Sendable, Hashable {
    /// Predicted remaining cycles, clipped to the model's cap.
    public var rulCycles: Double
    /// The lower and upper end of the forecast's band: the spread of the blended models' own predictions.
    public var lower: Double
    public var upper: Double
    /// The engine cycle it was made at.
    public var cycle: UInt64
}

/// A battery forecast.
public struct BatteryEstimate: Sendable, Hashable {
    /// Measured capacity over rated, latest cycle.
    public var capacityRatio: Double
    /// Predicted end-of-life cycle (capacity below 70 % of rated), with its band, if the fade allows a forecast.
    public var endOfLifeCycle: Double?
    public var lower: Double?
    public var upper: Double?
    /// The battery cycle it was made at.
    public var cycle: UInt64
}

/// One vehicle's degradation history, kept only for vehicles that report diagnostics.
struct PrognosticHistory: Sendable {
    /// The model's sensors of the last cycles (at most the model's window), oldest first, and the first one's cycle.
    var engineRows: [[Double]] = []
    var firstEngineCycle: UInt64 = 0
    var lastEngineCycle: UInt64?
    var engine: EngineForecast?
    /// Capacities per battery cycle, scaled to the reference rating, oldest first.
    var capacities: [Double] = []
    var lastBatteryCycle: UInt64?
    var battery: BatteryEstimate?
}

/// A value kept out of line: 8 bytes where it is stored, the value itself allocated only when present. For state most
/// vehicles never have (degradation histories), so it does not widen every vehicle's slot.
struct OutOfLine<Value: Sendable>: Sendable {
    private var storage: [Value] = []

    init() {}

    /// The value, if present.
    var value: Value? {
        get { storage.first }
        set { storage = newValue.map { [$0] } ?? [] }
    }
}
