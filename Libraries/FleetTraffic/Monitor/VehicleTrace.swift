/// What ``TrafficMonitor`` remembers about one vehicle between its samples (24 bytes; the caller keeps one per
/// vehicle, e.g. in its vehicle table, and passes it `inout`).
public struct VehicleTrace: Hashable, Sendable {
    /// The edge of the vehicle's last matched sample, -1 for none.
    var lastEdgeStorage: Int32 = -1
    /// When the vehicle's current standstill began, seconds; `nil` while it moves.
    public var standstillSinceSeconds: Double?

    /// A vehicle not seen yet.
    public init() {}

    /// The edge of the vehicle's last matched sample.
    public var lastEdge: Int? {
        get { lastEdgeStorage < 0 ? nil : Int(lastEdgeStorage) }
        set { lastEdgeStorage = Int32(truncatingIfNeeded: newValue ?? -1) }
    }
}
