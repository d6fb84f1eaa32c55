import FleetCore
import FleetGeo
import Foundation
import Testing

@Suite("Nearest-edge snapping on Monaco")
struct SnappingTests {
    /// A point `meters` to the left of the segment's direction, at its middle.
    private func offsetMidpoint(_ a: GeoCoordinate, _ b: GeoCoordinate, meters: Double) -> GeoCoordinate {
        let metersPerDegree = GeoCoordinate.earthRadiusMeters * .pi / 180
        let cosine = cos(a.latitude * .pi / 180)
        let dx = (b.longitude - a.longitude) * metersPerDegree * cosine
        let dy = (b.latitude - a.latitude) * metersPerDegree
        let norm = (dx * dx + dy * dy).squareRoot()
        let middle = a.interpolated(to: b, fraction: 0.5)
        return GeoCoordinate(
            latitude: middle.latitude + dx / norm * meters / metersPerDegree,
            longitude: middle.longitude - dy / norm * meters / (metersPerDegree * cosine))
    }

    /// A random segment of at least 10 m: (edge, segment index).
    private func randomSegment(_ graph: RoadGraph, _ rng: inout SplitMix64) -> (edge: Int, segment: Int) {
        while true {
            let edge = Int.random(in: 0..<graph.edgeCount, using: &rng)
            let geometry = Array(graph.geometry(of: edge))
            let segment = Int.random(in: 0..<(geometry.count - 1), using: &rng)
            if geometry[segment].distance(to: geometry[segment + 1]) >= 10 { return (edge, segment) }
        }
    }

    @Test("Points on an edge snap onto it with ~0 distance and a consistent offset")
    func onEdge() throws {
        let graph = try Monaco.pbfGraph.get()
        let index = try Monaco.spatialIndex.get()
        var rng = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let (edge, segment) = randomSegment(graph, &rng)
            let geometry = Array(graph.geometry(of: edge))
            let point = geometry[segment].interpolated(to: geometry[segment + 1], fraction: 0.5)
            let snap = try #require(index.nearest(to: point))
            #expect(snap.distance < 0.01)
            let sameStreet = snap.edge == edge || snap.edge == graph.reverseEdge(of: edge)
            if !sameStreet {
                // Only acceptable if another way runs over exactly the same segment.
                let other = Array(graph.geometry(of: snap.edge))
                let ends = Set([other[snap.segment], other[snap.segment + 1]].map(\.description))
                #expect(ends == Set([geometry[segment], geometry[segment + 1]].map(\.description)))
            }
            #expect(graph.position(onEdge: snap.edge, atOffset: snap.offset).distance(to: snap.coordinate) < 0.05)
            if snap.edge == edge {
                #expect(snap.segment == segment)
            }
        }
    }

    @Test("Points 20 m off a road snap within 20 m (to that road when nothing is closer)")
    func offRoad() throws {
        let graph = try Monaco.pbfGraph.get()
        let index = try Monaco.spatialIndex.get()
        var rng = SplitMix64(seed: 12)
        var sameStreet = 0
        for _ in 0..<300 {
            let (edge, segment) = randomSegment(graph, &rng)
            let geometry = Array(graph.geometry(of: edge))
            let point = offsetMidpoint(geometry[segment], geometry[segment + 1], meters: 20)
            let snap = try #require(index.nearest(to: point))
            #expect(snap.distance <= 20.05)
            // On the very segment offset from (in either direction), the distance is the offset.
            let reverseSegment = geometry.count - 2 - segment
            if (snap.edge == edge && snap.segment == segment)
                || (snap.edge == graph.reverseEdge(of: edge) && snap.segment == reverseSegment)
            {
                sameStreet += 1
                #expect(abs(snap.distance - 20) < 0.2)
            }
        }
        print("Snapping: \(sameStreet) of 300 points 20 m off snapped back to their own segment")
        #expect(sameStreet > 100)
    }

    @Test("The grid search agrees with brute force, including far outside the map")
    func bruteForce() throws {
        let graph = try Monaco.pbfGraph.get()
        let index = try Monaco.spatialIndex.get()
        var rng = SplitMix64(seed: 13)
        var queries = (0..<40).map { _ in
            GeoCoordinate(latitude: .random(in: 43.70...43.78, using: &rng), longitude: .random(in: 7.34...7.50, using: &rng))
        }
        queries.append(GeoCoordinate(latitude: 44.5, longitude: 8.5))
        queries.append(GeoCoordinate(latitude: 43.0, longitude: 7.0))
        for query in queries {
            let snap = try #require(index.nearest(to: query))
            var best = Double.infinity
            for edge in 0..<graph.edgeCount {
                let geometry = Array(graph.geometry(of: edge))
                for segment in 0..<(geometry.count - 1) {
                    best = min(best, Self.segmentDistance(query, geometry[segment], geometry[segment + 1]))
                }
            }
            #expect(abs(snap.distance - best) < 0.01, "\(query): index \(snap.distance) m, brute force \(best) m")
        }
    }

    @Test("Snapping can be restricted to some edges")
    func restricted() throws {
        let graph = try Monaco.pbfGraph.get()
        let index = try Monaco.spatialIndex.get()
        let components = try Monaco.components.get()
        var rng = SplitMix64(seed: 14)
        for _ in 0..<50 {
            let query = GeoCoordinate(latitude: .random(in: 43.72...43.75, using: &rng), longitude: .random(in: 7.40...7.44, using: &rng))
            let snap = try #require(index.nearest(to: query) { components.isInLargestComponent(graph.source(of: $0)) })
            #expect(components.isInLargestComponent(graph.source(of: snap.edge)))
            let unrestricted = try #require(index.nearest(to: query))
            #expect(unrestricted.distance <= snap.distance)
        }
        #expect(index.nearest(to: GeoCoordinate(latitude: 43.73, longitude: 7.42)) { _ in false } == nil)
    }

    /// Same method as the index (flat projection at the query), computed independently.
    static func segmentDistance(_ p: GeoCoordinate, _ a: GeoCoordinate, _ b: GeoCoordinate) -> Double {
        let metersPerDegree = GeoCoordinate.earthRadiusMeters * .pi / 180
        let cosine = cos(p.latitude * .pi / 180)
        let ax = (a.longitude - p.longitude) * metersPerDegree * cosine
        let ay = (a.latitude - p.latitude) * metersPerDegree
        let bx = (b.longitude - p.longitude) * metersPerDegree * cosine
        let by = (b.latitude - p.latitude) * metersPerDegree
        let dx = bx - ax
        let dy = by - ay
        let lengthSquared = dx * dx + dy * dy
        let t = lengthSquared > 0 ? min(1, max(0, -(ax * dx + ay * dy) / lengthSquared)) : 0
        return p.distance(to: a.interpolated(to: b, fraction: t))
    }
}
