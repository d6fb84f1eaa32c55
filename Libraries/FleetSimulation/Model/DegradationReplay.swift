import FleetCore

/// Real degradation data replayed as some vehicles' telemetry diagnostics, time-compressed: an engine's sensor snapshot
/// per operating cycle (NASA C-MAPSS units run to failure) and a traction battery's capacity per cycle (NASA cells aged
/// to end of life). A track that reaches its end starts again from its first cycle: the engine was overhauled, the
/// battery replaced.
public struct DegradationReplay: Sendable {
    /// One engine's cycles: the cycle number and the 21 sensor values of each, oldest first.
    public struct EngineTrack: Sendable, Equatable {
        public var name: String
        public var cycles: [UInt64]
        public var sensors: [[Double]]
        /// The index the replay starts at.
        public var startIndex: Int

        /// Creates a track.
        public init(name: String, cycles: [UInt64], sensors: [[Double]], startIndex: Int) {
            self.name = name
            self.cycles = cycles
            self.sensors = sensors
            self.startIndex = min(max(0, startIndex), max(0, cycles.count - 1))
        }
    }

    /// One cell's capacity per cycle (Ah), oldest first, and its rated capacity.
    public struct BatteryTrack: Sendable, Equatable {
        public var name: String
        public var capacities: [Double]
        public var ratedAh: Double
        public var startIndex: Int

        /// Creates a track.
        public init(name: String, capacities: [Double], ratedAh: Double, startIndex: Int) {
            self.name = name
            self.capacities = capacities
            self.ratedAh = ratedAh
            self.startIndex = min(max(0, startIndex), max(0, capacities.count - 1))
        }
    }

    /// Engine tracks by vehicle index.
    public var engines: [Int: EngineTrack]
    /// Battery tracks by vehicle index.
    public var batteries: [Int: BatteryTrack]
    /// Simulated seconds per engine cycle.
    public var engineCycleSeconds: Double
    /// Simulated seconds per battery cycle.
    public var batteryCycleSeconds: Double

    /// Creates a replay.
    public init(engines: [Int: EngineTrack], batteries: [Int: BatteryTrack], engineCycleSeconds: Double, batteryCycleSeconds: Double) {
        self.engines = engines.filter { !$0.value.cycles.isEmpty && $0.value.cycles.count == $0.value.sensors.count }
        self.batteries = batteries.filter { !$0.value.capacities.isEmpty }
        self.engineCycleSeconds = max(0.001, engineCycleSeconds)
        self.batteryCycleSeconds = max(0.001, batteryCycleSeconds)
    }

    /// The diagnostics vehicle `index` reports after `elapsedSeconds` of simulation, if it replays anything.
    public func diagnostics(vehicle index: Int, elapsedSeconds: Double) -> Diagnostics? {
        let engine = engines[index]
        let battery = batteries[index]
        guard engine != nil || battery != nil else { return nil }
        var diagnostics = Diagnostics()
        if let engine {
            let position = (engine.startIndex + Int(elapsedSeconds / engineCycleSeconds)) % engine.cycles.count
            diagnostics.engineCycle = engine.cycles[position]
            diagnostics.engineSensors = engine.sensors[position]
        }
        if let battery {
            let position = (battery.startIndex + Int(elapsedSeconds / batteryCycleSeconds)) % battery.capacities.count
            diagnostics.batteryCycle = UInt64(position + 1)
            diagnostics.batteryCapacityAh = battery.capacities[position]
            diagnostics.batteryRatedAh = battery.ratedAh
        }
        return diagnostics
    }
}
