import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetRouting

@Suite("Planning routes through the API", .serialized)
struct OptimizeTests {
    /// Two vans from the Fontvieille depot and ten stops across Monaco, some with windows.
    static func request(now: Int64, extra: [String: Any] = [:]) -> [String: Any] {
        let depot = ["lat": MonacoPlaces.depot.lat, "lon": MonacoPlaces.depot.lon]
        var stops: [[String: Any]] = MonacoPlaces.stops.enumerated().map { index, place in
            ["id": "s\(index)", "location": ["lat": place.lat, "lon": place.lon], "demand": 1, "service_s": 120]
        }
        stops[2]["time_window"] = ["start_ms": now + 1_800_000, "end_ms": now + 3_600_000]
        stops[5]["time_window"] = ["start_ms": now, "end_ms": now + 1_200_000]
        var body: [String: Any] = [
            "vehicles": [
                ["id": "van-1", "capacity": 6, "start": depot],
                ["id": "van-2", "capacity": 6, "start": depot],
            ],
            "stops": stops,
            "options": ["time_limit_ms": 300, "seed": 3],
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    @Test("a plan on Monaco's roads serves every stop in order, within windows, with geometry, and is stored")
    func plan() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, _, _, _ in
                let now = TimestampPolicy.millis(from: .now)
                let (status, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: Self.request(now: now), on: api)
                #expect(status == .ok, "\(plan)")
                #expect(plan["status"] as? String == "done")
                let routes = try #require(plan["routes"] as? [[String: Any]])
                let served = routes.flatMap { ($0["stops"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
                #expect(Set(served) == Set((0..<10).map { "s\($0)" }))
                #expect(served.count == 10)
                #expect((plan["unassigned"] as? [Any])?.isEmpty == true)
                for route in routes {
                    let stops = try #require(route["stops"] as? [[String: Any]])
                    #expect(stops.count <= 6)  // Capacity 6, demand 1 each.
                    let etas = stops.compactMap { $0["eta_ms"] as? Int64 }
                    #expect(etas == etas.sorted())
                    #expect((etas.first ?? 0) > now)
                    for stop in stops {
                        let start = try #require(stop["service_start_ms"] as? Int64)
                        if let end = stop["window_end_ms"] as? Int64 { #expect(start <= end) }
                        if let open = stop["window_start_ms"] as? Int64 { #expect(start >= open) }
                    }
                    let geometry = try #require(route["geometry"] as? [String: Any])
                    #expect(geometry["type"] as? String == "LineString")
                    let coordinates = try #require(geometry["coordinates"] as? [[Double]])
                    #expect(coordinates.count > stops.count)
                    #expect(coordinates.allSatisfy { abs($0[0] - 7.42) < 0.05 && abs($0[1] - 43.74) < 0.05 })
                    #expect((route["distance_m"] as? Double ?? 0) > 500)
                }
                let id = try #require(plan["id"] as? String)
                let (getStatus, stored) = try await RoutingHarness.call(.get, "/v1/routes/\(id)", on: api)
                #expect(getStatus == .ok)
                #expect((stored["routes"] as? [Any])?.count == routes.count)
            }
        }
    }

    @Test("large or async requests become jobs: 202 with the plan's address, solved in the background")
    func asynchronous() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, _, _, _ in
                let now = TimestampPolicy.millis(from: .now)
                let body = Self.request(now: now, extra: ["options": ["time_limit_ms": 200, "async": true]])
                let (status, queued) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                #expect(status == .accepted)
                #expect(queued["status"] as? String == "queued")
                let id = try #require(queued["id"] as? String)
                try await eventually("the job finishes", seconds: 20) {
                    let (_, plan) = try await RoutingHarness.call(.get, "/v1/routes/\(id)", on: api)
                    return plan["status"] as? String == "done"
                }
            }
        }
    }

    @Test("bad requests are refused with the field named, unknown plans are 404, nothing crashes")
    func badInput() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, _, _, _ in
                let now = TimestampPolicy.millis(from: .now)
                var body = Self.request(now: now)
                let cases: [(Any?, String?, String)] = [
                    (nil, "{not json", "Malformed JSON"),
                    (["vehicles": [], "stops": []], nil, "vehicles"),
                    ({ var b = body; b["stops"] = [["id": "x", "location": ["lat": 95, "lon": 7]]]; return b }(), nil, "stops[0].location"),
                    ({ var b = body; b["stops"] = [["id": "a b", "location": ["lat": 43.7, "lon": 7.4]]]; return b }(), nil, "stops[0].id"),
                    ({ var b = body; b["stops"] = [["id": "a", "location": ["lat": 43.7, "lon": 7.4]], ["id": "a", "location": ["lat": 43.7, "lon": 7.4]]]; return b }(), nil, "appears twice"),
                    ({ var b = body; b["stops"] = [["id": "a", "location": ["lat": 43.7, "lon": 7.4], "time_window": ["start_ms": now + 10, "end_ms": now]]]; return b }(), nil, "time_window"),
                    ({ var b = body; b["options"] = ["time_limit_ms": 1]; return b }(), nil, "time_limit_ms"),
                    ({ var b = body; b["stops"] = [["id": "a", "location": ["lat": 43.7, "lon": 7.4], "priority": 11]]; return b }(), nil, "priority"),
                    ({ var b = body; b["vehicles"] = [["id": "v", "capacity": -1]]; return b }(), nil, "capacity"),
                ]
                for (json, raw, expected) in cases {
                    let (status, answer) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: json, raw: raw, on: api)
                    #expect(status == .badRequest, "\(expected): \(answer)")
                    #expect("\(answer)".contains(expected), "\(answer)")
                }
                let (missing, _) = try await RoutingHarness.call(.get, "/v1/routes/\(UUID().uuidString)", on: api)
                #expect(missing == .notFound)
                let (malformed, _) = try await RoutingHarness.call(.get, "/v1/routes/not-a-plan", on: api)
                #expect(malformed == .badRequest)
                let huge = String(repeating: "x", count: 5 * 1024 * 1024)
                let (tooLarge, _) = try await RoutingHarness.call(.post, "/v1/routes/optimize", raw: "{\"a\":\"\(huge)\"}", on: api)
                #expect(tooLarge == .contentTooLarge)

                // Stops nobody can serve are answered with the reason, not refused.
                body["stops"] = [
                    ["id": "sea", "location": ["lat": 43.70, "lon": 7.50]],
                    ["id": "fridge", "location": ["lat": 43.7384, "lon": 7.4246], "skills": ["fridge"]],
                    ["id": "heavy", "location": ["lat": 43.7396, "lon": 7.4271], "demand": 50],
                    ["id": "gone", "location": ["lat": 43.7436, "lon": 7.4295], "time_window": ["start_ms": now - 7_200_000, "end_ms": now - 3_600_000]],
                    ["id": "fine", "location": ["lat": 43.7465, "lon": 7.4332]],
                ]
                let (status, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                #expect(status == .ok)
                let reasons = Dictionary(
                    uniqueKeysWithValues: (plan["unassigned"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["reason"] as? String ?? "") })
                #expect(reasons == [
                    "sea": "unreachable_location", "fridge": "no_vehicle_with_skills", "heavy": "demand_exceeds_capacity",
                    "gone": "time_window_passed",
                ])
            }
        }
    }
}
