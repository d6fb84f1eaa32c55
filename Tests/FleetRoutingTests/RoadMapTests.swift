import FleetGeo
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetRouting

@Suite("The road network as GeoJSON (GET /v1/map/roads)")
struct RoadMapTests {
    @Test("One LineString per street section, on Monaco, with names and speeds; both directions of a street are one feature")
    func document() throws {
        let graph = RoutingHarness.network.graph
        let document = RoadMapDocument(graph: graph)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: document.bytes).utf8)) as? [String: Any])
        #expect(object["type"] as? String == "FeatureCollection")
        let features = try #require(object["features"] as? [[String: Any]])
        let twoWay = (0..<graph.edgeCount).filter { graph.reverseEdge(of: $0) != nil }.count
        #expect(features.count == graph.edgeCount - twoWay / 2)
        #expect(features.count == document.features)
        var named = 0
        var outside = 0
        for feature in features {
            let geometry = try #require(feature["geometry"] as? [String: Any])
            #expect(geometry["type"] as? String == "LineString")
            let coordinates = try #require(geometry["coordinates"] as? [[Double]])
            #expect(coordinates.count >= 2)
            // [lon, lat] order, around Monaco (the extract reaches into the French hills around it).
            outside += coordinates.filter { !(7.2...7.7).contains($0[0]) || !(43.6...43.9).contains($0[1]) }.count
            let properties = try #require(feature["properties"] as? [String: Any])
            #expect((properties["speed_kmh"] as? Int ?? 0) > 0)
            if (properties["name"] as? String)?.isEmpty == false { named += 1 }
        }
        #expect(outside == 0, "points outside the Monaco area, or lat/lon swapped")
        #expect(named > features.count / 2, "most streets have a name")
    }

    @Test(
        "Served with an ETag; If-None-Match answers 304; a token without fleet:read is refused",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
    func served() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { client, identity, _, _ in
                let etag = try await client.execute(uri: "/v1/map/roads", method: .get) { response -> String? in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/geo+json")
                    #expect(String(buffer: response.body).hasPrefix(#"{"type":"FeatureCollection""#))
                    return response.headers[.eTag]
                }
                let tag = try #require(etag)
                try await client.execute(uri: "/v1/map/roads", method: .get, headers: [.ifNoneMatch: tag]) { response in
                    #expect(response.status == .notModified)
                    #expect(response.body.readableBytes == 0)
                }
                let anonymous = try #require((client as? AuthorizedTestClient)?.anonymous)
                let token = try await identity.token(scopes: [.commandsWrite])
                try await anonymous.execute(uri: "/v1/map/roads", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }
}
