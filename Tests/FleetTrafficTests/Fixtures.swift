import FleetGeo
import Foundation

/// The shared data next to the package (`../shared/data`), found from this file's path.
enum SharedData {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FleetTrafficTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data", isDirectory: true)

    /// `…/shared/data/traffic` (Los-loop speeds).
    static let traffic = directory.appendingPathComponent("traffic", isDirectory: true)

    /// The real Monaco road graph, loaded once per test run.
    static let monaco = Result { () throws(OSMError) in
        try RoadGraph.load(contentsOf: directory.appendingPathComponent("road_network/monaco.osm.pbf"))
    }
}

/// A tiny hand-made town around 43.7° N 7.4° E, positions in metres east (`x`) and north (`y`) of its origin.
///
/// - Main Street: two-way, west–east from (0, 0) to (400, 0), 50 km/h.
/// - One Way: one-way northwards from (0, 200) to (0, 600), 30 km/h (over 150 m from Main Street).
enum Town {
    static let originLatitude = 43.7
    static let originLongitude = 7.4
    static let metersPerDegree = GeoCoordinate.earthRadiusMeters * .pi / 180

    static func coordinate(x: Double, y: Double) -> GeoCoordinate {
        GeoCoordinate(
            latitude: originLatitude + y / metersPerDegree,
            longitude: originLongitude + x / (metersPerDegree * cos(originLatitude * .pi / 180)))
    }

    private static func node(_ id: Int64, _ x: Double, _ y: Double) -> OSMNode {
        let point = coordinate(x: x, y: y)
        return OSMNode(
            id: id, latitudeE7: Int32((point.latitude * 1e7).rounded()),
            longitudeE7: Int32((point.longitude * 1e7).rounded()))
    }

    static let graph = RoadGraph(
        extract: OSMExtract(
            nodes: [node(1, 0, 0), node(2, 200, 0), node(3, 400, 0), node(4, 0, 200), node(5, 0, 600)],
            ways: [
                OSMWay(id: 10, nodeIDs: [1, 2, 3], tags: ["highway": "residential", "name": "Main Street", "maxspeed": "50"]),
                OSMWay(id: 20, nodeIDs: [4, 5], tags: ["highway": "residential", "name": "One Way", "oneway": "yes", "maxspeed": "30"]),
            ]))

    /// The directed edge of `way` whose source is at (`x`, `y`).
    static func edge(way: Int64, from x: Double, _ y: Double) -> Int {
        let start = coordinate(x: x, y: y)
        return (0..<graph.edgeCount).first {
            graph.wayID(of: $0) == way && graph.coordinate(of: graph.source(of: $0)).distance(to: start) < 0.5
        }!
    }

    /// Main Street eastwards, and westwards (one edge each: node 2 joins nothing).
    static var eastbound: Int { edge(way: 10, from: 0, 0) }
    static var westbound: Int { edge(way: 10, from: 400, 0) }
    static var northbound: Int { edge(way: 20, from: 0, 200) }
}
