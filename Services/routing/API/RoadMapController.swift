import FleetGeo
import FleetService
import Foundation
import Hummingbird

/// `GET /v1/map/roads` (scope `fleet:read`): the drivable road network fleet-routing plans on, as a GeoJSON
/// FeatureCollection, so a map (the operator console) can draw its base layer with no tile server or internet.
///
/// One LineString per street section (the two directions of a two-way street are one feature), properties `name`
/// (the road's name or ref, `""` if none), `speed_kmh` (its free-flow speed: a map draws faster roads wider) and
/// `oneway`. The document is built once, at start, and served with an ETag.
struct RoadMapController<Context: AuthenticatedRequestContext>: Sendable {
    let document: RoadMapDocument

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("map/roads") { request, context -> Response in
            _ = try context.require(.fleetRead)
            var headers: HTTPFields = [.contentType: "application/geo+json", .eTag: document.etag, .cacheControl: "private, max-age=3600"]
            if request.headers[.ifNoneMatch] == document.etag {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: document.bytes))
        }
    }
}

/// The road network as GeoJSON bytes, made once.
struct RoadMapDocument: Sendable {
    let bytes: ByteBuffer
    let etag: String
    /// Street sections (features) in the document.
    let features: Int

    init(graph: RoadGraph) {
        var text = #"{"type":"FeatureCollection","features":["#
        var features = 0
        for edge in 0..<graph.edgeCount {
            let reverse = graph.reverseEdge(of: edge)
            if let reverse, reverse < edge { continue }  // drawn with its other direction
            if features > 0 { text += "," }
            features += 1
            text += #"{"type":"Feature","properties":{"name":"#
            text += Self.jsonString(graph.roadName(of: edge) ?? "")
            text += #","speed_kmh":\#(Int((graph.speed(of: edge) * 3.6).rounded())),"oneway":\#(reverse == nil)},"#
            text += #""geometry":{"type":"LineString","coordinates":["#
            var first = true
            for point in graph.geometry(of: edge) {
                if !first { text += "," }
                first = false
                text += "[\(Self.coordinate(point.longitude)),\(Self.coordinate(point.latitude))]"
            }
            text += "]}}"
        }
        text += "]}"
        bytes = ByteBuffer(string: text)
        self.features = features
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        etag = "\"roads-\(String(hash, radix: 16))\""
    }

    /// Six decimals: about 0.1 m, finer than any map needs.
    private static func coordinate(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    private static func jsonString(_ value: String) -> String {
        let data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
