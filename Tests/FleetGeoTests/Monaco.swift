import FleetGeo
import Foundation

/// The real Monaco extracts in `../shared/data/road_network/` (next to the package), loaded once per test run.
enum Monaco {
    /// `…/shared/data/road_network`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FleetGeoTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data/road_network", isDirectory: true)

    static let pbfURL = directory.appendingPathComponent("monaco.osm.pbf")
    static let xmlURL = directory.appendingPathComponent("monaco.osm")

    static let pbfExtract = Result { () throws(OSMError) in try OSMPBFReader.read(contentsOf: pbfURL) }
    static let xmlExtract = Result { () throws(OSMError) in try OSMXMLReader.read(contentsOf: xmlURL) }
    static let pbfGraph = pbfExtract.map { RoadGraph(extract: $0) }
    static let xmlGraph = xmlExtract.map { RoadGraph(extract: $0) }
    static let components = pbfGraph.map { StronglyConnectedComponents(graph: $0) }
    static let spatialIndex = pbfGraph.map { EdgeSpatialIndex(graph: $0) }
}
