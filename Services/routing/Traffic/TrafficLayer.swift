import FleetCore
import FleetGeo
import FleetTraffic
import Synchronization

/// The live traffic model shared by the telemetry consumer (which feeds it), the refresh loop (which turns it into
/// travel times) and the API (which reads jams): a ``TrafficMonitor`` and each vehicle's trace, behind one lock.
final class TrafficLayer: Sendable {
    private struct State: Sendable {
        var monitor: TrafficMonitor
        var traces: [String: VehicleTrace] = [:]
    }

    private let state: Mutex<State>
    let graph: RoadGraph

    init(graph: RoadGraph, configuration: TrafficMonitor.Configuration) {
        self.graph = graph
        state = Mutex(State(monitor: TrafficMonitor(graph: graph, configuration: configuration)))
    }

    /// Uses one accepted telemetry sample.
    func observe(_ telemetry: Telemetry) -> TrafficUpdate {
        state.withLock { state in
            var trace = state.traces[telemetry.vehicleID.rawValue] ?? VehicleTrace()
            let update = state.monitor.observe(telemetry, trace: &trace)
            state.traces[telemetry.vehicleID.rawValue] = trace
            return update
        }
    }

    /// Clears jams nobody has driven through for long.
    func sweep(atSeconds seconds: Double) -> [JamEvent] {
        state.withLock { $0.monitor.sweep(atSeconds: seconds) }
    }

    /// Per-edge travel times from the live speeds.
    func travelTimes(atSeconds seconds: Double) -> [Double] {
        state.withLock { $0.monitor.travelTimes(atSeconds: seconds) }
    }

    /// Segments currently jammed.
    var jammedSegments: [Int] { state.withLock { $0.monitor.jams.jammedSegments } }

    /// Vehicles traced.
    var vehicleCount: Int { state.withLock { $0.traces.count } }
}
