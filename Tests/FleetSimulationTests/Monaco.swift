import FleetGeo
import Foundation

/// The real Monaco extract in `../shared/data/road_network/` (next to the package), loaded once per test run.
enum Monaco {
    static let pbfURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FleetSimulationTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data/road_network/monaco.osm.pbf")

    static let graph = Result { () throws(OSMError) in try RoadGraph.load(contentsOf: pbfURL) }
    static let components = graph.map { StronglyConnectedComponents(graph: $0) }
    static let spatialIndex = graph.map { EdgeSpatialIndex(graph: $0) }
}
