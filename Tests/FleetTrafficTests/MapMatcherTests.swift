import FleetCore
import FleetGeo
import FleetTraffic
import Foundation
import Testing

@Suite("Map matching")
struct MapMatcherTests {
    let matcher = MapMatcher(graph: Town.graph)

    @Test("A two-way street: the heading picks the direction")
    func twoWayDirection() throws {
        let point = Town.coordinate(x: 100, y: 5)
        let east = try #require(matcher.match(point, headingDegrees: 85, speedMetersPerSecond: 10).matchedPosition)
        #expect(east.edge == Town.eastbound)
        #expect(abs(east.distance - 5) < 0.05)
        #expect(abs(east.offset - 100) < 0.5)
        #expect(abs(try #require(east.headingDifferenceDegrees) - 5) < 0.5)
        let west = try #require(matcher.match(point, headingDegrees: 275, speedMetersPerSecond: 10).matchedPosition)
        #expect(west.edge == Town.westbound)
        #expect(abs(west.offset - 300) < 0.5)
        // Heading 50° off is still accepted while moving.
        #expect(matcher.match(point, headingDegrees: 40, speedMetersPerSecond: 10).matchedPosition?.edge == Town.eastbound)
    }

    @Test("Points beyond the radius, or outside the map, are refused")
    func farPoints() {
        #expect(matcher.match(Town.coordinate(x: 100, y: 30), headingDegrees: 90, speedMetersPerSecond: 10) == .unmatched(.noRoadNearby))
        #expect(matcher.match(Town.coordinate(x: 100, y: 24), headingDegrees: 90, speedMetersPerSecond: 10).matchedPosition != nil)
        #expect(matcher.match(Town.coordinate(x: 5_000, y: -9_000), headingDegrees: 90, speedMetersPerSecond: 10) == .unmatched(.noRoadNearby))
        #expect(matcher.match(GeoCoordinate(latitude: -33.9, longitude: 151.2), headingDegrees: nil, speedMetersPerSecond: 0) == .unmatched(.noRoadNearby))
        #expect(matcher.match(GeoCoordinate(latitude: .nan, longitude: 7.4), headingDegrees: nil, speedMetersPerSecond: 0) == .unmatched(.noRoadNearby))
    }

    @Test("Moving across or against the allowed directions is refused; standing still it is not")
    func headingDisagrees() {
        let onMain = Town.coordinate(x: 100, y: 0)
        let onOneWay = Town.coordinate(x: 2, y: 400)
        // Across a two-way street, and the wrong way up a one-way street.
        #expect(matcher.match(onMain, headingDegrees: 0, speedMetersPerSecond: 8) == .unmatched(.headingDisagrees))
        #expect(matcher.match(onMain, headingDegrees: 155, speedMetersPerSecond: 8) == .unmatched(.headingDisagrees))
        #expect(matcher.match(onOneWay, headingDegrees: 180, speedMetersPerSecond: 8) == .unmatched(.headingDisagrees))
        #expect(matcher.match(onOneWay, headingDegrees: 10, speedMetersPerSecond: 8).matchedPosition?.edge == Town.northbound)
        // At standstill the heading only ranks directions.
        #expect(matcher.match(onOneWay, headingDegrees: 180, speedMetersPerSecond: 0).matchedPosition?.edge == Town.northbound)
        #expect(matcher.match(onMain, headingDegrees: 100, speedMetersPerSecond: 0.5).matchedPosition?.edge == Town.eastbound)
        #expect(matcher.match(onMain, headingDegrees: 260, speedMetersPerSecond: 0.5).matchedPosition?.edge == Town.westbound)
    }

    @Test("Without a heading a two-way street needs the previous edge; a one-way street does not")
    func withoutHeading() {
        let onMain = Town.coordinate(x: 100, y: 3)
        #expect(matcher.match(onMain, headingDegrees: nil, speedMetersPerSecond: 5) == .unmatched(.ambiguousDirection))
        #expect(matcher.match(onMain, headingDegrees: .nan, speedMetersPerSecond: 5) == .unmatched(.ambiguousDirection))
        #expect(matcher.match(onMain, headingDegrees: nil, speedMetersPerSecond: 5, previousEdge: Town.westbound).matchedPosition?.edge == Town.westbound)
        #expect(matcher.match(onMain, headingDegrees: nil, speedMetersPerSecond: 5, previousEdge: Town.eastbound).matchedPosition?.edge == Town.eastbound)
        #expect(matcher.match(Town.coordinate(x: 0, y: 300), headingDegrees: nil, speedMetersPerSecond: 5).matchedPosition?.edge == Town.northbound)
    }

    @Test("On Monaco, points on two-way streets match the direction of their heading")
    func monacoDirections() throws {
        let graph = try SharedData.monaco.get()
        let matcher = MapMatcher(graph: graph)
        var rng = SplitMix64(seed: 16)
        var checked = 0
        var exact = 0
        while checked < 400 {
            let edge = Int.random(in: 0..<graph.edgeCount, using: &rng)
            guard let reverse = graph.reverseEdge(of: edge) else { continue }
            let points = Array(graph.geometry(of: edge))
            let segment = Int.random(in: 0..<(points.count - 1), using: &rng)
            let (a, b) = (points[segment], points[segment + 1])
            guard a.distance(to: b) >= 10 else { continue }
            checked += 1
            let middle = a.interpolated(to: b, fraction: 0.5)
            let bearing = atan2(
                (b.longitude - a.longitude) * cos(a.latitude * .pi / 180), b.latitude - a.latitude) * 180 / .pi
            for (expected, heading) in [(edge, bearing), (reverse, bearing + 180)] {
                let match = try #require(
                    matcher.match(middle, headingDegrees: heading, speedMetersPerSecond: 10).matchedPosition)
                if match.edge == expected {
                    exact += 1
                } else {
                    // Only another way drawn over the same line, in the same direction, may tie.
                    #expect(match.distance < 0.05)
                    #expect(try #require(match.headingDifferenceDegrees) < 1)
                }
            }
        }
        #expect(exact >= 790)
    }
}
