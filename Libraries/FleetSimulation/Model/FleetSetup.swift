/// What a generated fleet looks like: how many vehicles, their ids, the seed and the fault rates.
public struct FleetSetup: Hashable, Sendable {
    /// Number of vehicles.
    public var vehicleCount: Int
    /// Seed of every random choice (kinds, depots, destinations, faults).
    public var seed: UInt64
    /// Vehicle ids are `<prefix>-0001`, `<prefix>-0002`, … (at least four digits).
    public var idPrefix: String
    /// How often faults are injected.
    public var faults: FaultRates

    /// Creates a setup.
    public init(vehicleCount: Int, seed: UInt64 = 1, idPrefix: String = "sim", faults: FaultRates = .default) {
        self.vehicleCount = max(0, vehicleCount)
        self.seed = seed
        self.idPrefix = idPrefix
        self.faults = faults
    }

    /// The id text of vehicle `index` (0-based): `sim-0001` for index 0.
    public func idText(_ index: Int) -> String {
        let number = String(index + 1)
        return "\(idPrefix)-\(String(repeating: "0", count: max(0, 4 - number.count)))\(number)"
    }
}
