import FleetGeo
import Foundation
import Synchronization

/// The road network routes are planned on: the graph, its spatial index, and the contraction hierarchy weighted with
/// the latest travel times (free flow until traffic is known). Queries take a snapshot of the hierarchy (a
/// copy-on-write value), so a refresh never blocks or changes a solve in progress.
final class RoadNetwork: Sendable {
    let graph: RoadGraph
    let index: EdgeSpatialIndex
    let components: StronglyConnectedComponents
    /// The hierarchy at free-flow speeds (requests that ask for no traffic).
    let freeFlow: ContractionHierarchy
    private let current: Mutex<(hierarchy: ContractionHierarchy, refreshedMillis: Int64)>

    /// Loads and indexes the extract at `url`.
    convenience init(contentsOf url: URL) throws {
        let graph = try RoadGraph.load(contentsOf: url)
        self.init(graph: graph)
    }

    init(graph: RoadGraph) {
        self.graph = graph
        index = EdgeSpatialIndex(graph: graph)
        components = StronglyConnectedComponents(graph: graph)
        freeFlow = ContractionHierarchy(graph: graph)
        current = Mutex((freeFlow, 0))
    }

    /// The hierarchy with the latest travel times.
    var hierarchy: ContractionHierarchy { current.withLock { $0.hierarchy } }

    /// When travel times were last refreshed from traffic (0: never; free flow).
    var refreshedMillis: Int64 { current.withLock { $0.refreshedMillis } }

    /// Re-weights the hierarchy with `travelTimes` (seconds per edge). The customization runs on a copy, outside the
    /// lock.
    func refresh(travelTimes: [Double], atMillis millis: Int64) {
        var next = hierarchy
        next.customize(travelTimes: travelTimes)
        current.withLock { $0 = (next, millis) }
    }

    /// The waypoint nearest `coordinate` on a road every other waypoint can reach, if within `radius` metres.
    func waypoint(near coordinate: GeoCoordinate, within radius: Double) -> Waypoint? {
        guard let waypoint = index.waypoint(near: coordinate, in: components),
            waypoint.coordinate.distance(to: coordinate) <= radius
        else { return nil }
        return waypoint
    }
}
