import FleetCore
import FleetMQTT
import FleetReports
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import FleetRouting

/// `GET /v1/report-data`: fleet-routing's route plans of a period with the stops served, on time and late.
@Suite("fleet-routing report data", .serialized)
struct ReportDataTests {
    /// GET `/v1/report-data?<query>`: the status, the envelope of a 200, and the body.
    static func reportData(
        _ query: String, from api: any TestClientProtocol, headers: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, data: ReportData?, body: String) {
        try await api.execute(uri: "/v1/report-data?\(query)", method: .get, headers: headers) { response in
            let body = String(buffer: response.body)
            var data: ReportData?
            if response.status == .ok { data = try JSONDecoder().decode(ReportData.self, from: Data(body.utf8)) }
            return (status: response.status, data: data, body: body)
        }
    }

    /// The envelope of a request that must succeed.
    static func report(_ query: String, from api: any TestClientProtocol) async throws -> ReportData {
        let (status, data, body) = try await reportData(query, from: api)
        #expect(status == .ok, "\(query): \(body)")
        return try #require(data)
    }

    /// A stop planned at `start` for `service` ms, with an optional window, reported done at `reached`.
    static func stop(start: Int64 = 1_000_000, service: Int64 = 60_000, window: ClosedRange<Int64>? = nil, reached: Int64?) -> Plan.PlannedStop {
        Plan.PlannedStop(
            id: "s", lat: 43.7, lon: 7.4, arrivalMillis: start, serviceStartMillis: start, departureMillis: start + service,
            windowStartMillis: window?.lowerBound, windowEndMillis: window?.upperBound, reachedAtMillis: reached)
    }

    @Test("A served stop is on time when its service began within its window (done time less the planned service), late after it closed")
    func onTimeAndLate() {
        let window: ClosedRange<Int64> = 1_000_000...2_000_000
        let cases: [(Plan.PlannedStop, served: Int, onTime: Int, late: Int)] = [
            (Self.stop(window: window, reached: nil), 0, 0, 0),
            (Self.stop(reached: 5_000_000), 1, 1, 0),  // No window: always on time.
            (Self.stop(window: window, reached: 1_500_000), 1, 1, 0),
            (Self.stop(window: window, reached: 2_060_000), 1, 1, 0),  // Done after the window, begun at its last moment.
            (Self.stop(window: window, reached: 2_060_001), 1, 0, 1),
            (Self.stop(service: 0, window: window, reached: 2_000_001), 1, 0, 1),
            (Self.stop(window: window, reached: 1_060_000), 1, 1, 0),  // Begun as the window opened.
            (Self.stop(window: window, reached: 1_059_999), 1, 0, 0),  // Early: neither on time nor late.
            (Self.stop(window: 3_000_000...4_000_000, reached: 1_200_000), 1, 0, 0),
        ]
        for (stop, served, onTime, late) in cases {
            let record = RouteRecord(planID: "p", createdMillis: 7, vehicles: 1, stops: [stop])
            #expect([record.stops, record.served, record.onTime, record.late] as [Int] == [1, served, onTime, late] as [Int], "\(stop)")
        }
        // Served 8: on time 4, late 2, early 2.
        let all = RouteRecord(planID: "p", createdMillis: 7, vehicles: 3, stops: cases.map { $0.0 })
        #expect(all == RouteRecord(id: "p", createdMillis: 7, vehicles: 3, stops: 9, served: 8, onTime: 4, late: 2))
    }

    @Test(
        "Plans created in [from, to), oldest first, with vehicles, stops, and the stops served, on time and late from the vehicles' progress",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
    func plansOfAPeriod() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, _, vehicle, _ in
                let t0 = TimestampPolicy.millis(from: .now)
                let places = MonacoPlaces.stops
                func point(_ index: Int) -> [String: Any] { ["lat": places[index].lat, "lon": places[index].lon] }
                // One van per stop (skills make the assignment certain). van-late starts at its stop, whose window closes
                // 20 s from now, so it can be served in time and reported after the window (within the 30 s clock skew
                // telemetry is allowed).
                let vans: [(van: String, start: Int, stop: Int, window: [String: Int64]?, service: Int)] = [
                    ("van-on", 0, 1, ["start_ms": t0 - 600_000, "end_ms": t0 + 3_600_000], 60),
                    ("van-late", 2, 2, ["start_ms": t0 - 600_000, "end_ms": t0 + 20_000], 0),
                    ("van-early", 3, 4, ["start_ms": t0 + 7_200_000, "end_ms": t0 + 10_800_000], 60),
                    ("van-idle", 5, 6, nil, 60),
                ]
                let body: [String: Any] = [
                    "vehicles": vans.map { ["id": $0.van, "start": point($0.start), "skills": [$0.van]] as [String: Any] },
                    "stops": vans.map { van -> [String: Any] in
                        var stop: [String: Any] = ["id": "at-\(van.van)", "location": point(van.stop), "service_s": van.service, "skills": [van.van]]
                        if let window = van.window { stop["time_window"] = window }
                        return stop
                    },
                    "options": ["time_limit_ms": 300, "seed": 5],
                ]
                let (status, first) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                #expect(status == .ok, "\(first)")
                let firstID = try #require(first["id"] as? String)
                let firstCreated = try #require(first["created_at_ms"] as? Int64)
                #expect((first["unassigned"] as? [Any])?.isEmpty == true, "\(first["unassigned"] ?? "")")
                #expect((first["routes"] as? [Any])?.count == 4)

                // Progress as the vehicles report it: each has served its one stop, van-late after its window closed.
                let now = TimestampPolicy.millis(from: .now)
                for (van, at) in [("van-on", now), ("van-late", t0 + 25_000), ("van-early", now)] {
                    var sample = RoutingHarness.telemetry(van, seq: 1, at: at, lat: places[0].lat, lon: places[0].lon)
                    sample.route = RouteProgress(routeID: firstID, completedStops: 1)
                    try await RoutingHarness.publish(sample, with: vehicle)
                }
                try await eventually("the progress is recorded", seconds: 20) {
                    let (_, stored) = try await RoutingHarness.call(.get, "/v1/routes/\(firstID)", on: api)
                    let done = (stored["routes"] as? [[String: Any]] ?? []).filter { $0["completed_stops"] as? Int == 1 }
                    return done.count == 3
                }

                // A second, later plan: one van, one stop, nothing reported.
                let single: [String: Any] = [
                    "vehicles": [["id": "van-solo", "start": point(7)]],
                    "stops": [["id": "solo", "location": point(8)]],
                    "options": ["time_limit_ms": 100, "seed": 5],
                ]
                let (secondStatus, second) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: single, on: api)
                #expect(secondStatus == .ok, "\(second)")
                let secondID = try #require(second["id"] as? String)
                let secondCreated = try #require(second["created_at_ms"] as? Int64)
                #expect((second["routes"] as? [Any])?.count == 1)
                #expect(secondCreated > firstCreated)

                let both = try await Self.report("from=\(firstCreated)&to=\(secondCreated + 1)", from: api)
                #expect(both.period == ReportPeriod(fromMillis: firstCreated, toMillis: secondCreated + 1))
                #expect(both.routes == [
                    RouteRecord(id: firstID, createdMillis: firstCreated, vehicles: 4, stops: 4, served: 3, onTime: 1, late: 1),
                    RouteRecord(id: secondID, createdMillis: secondCreated, vehicles: 1, stops: 1, served: 0, onTime: 0, late: 0),
                ])
                #expect(both.alerts.isEmpty && both.commands.isEmpty && both.incidents.isEmpty && both.health.isEmpty)
                #expect(!both.truncated)

                // `from` is in the period, `to` is not.
                #expect(try await Self.report("from=\(firstCreated)&to=\(secondCreated)", from: api).routes.map(\.id) == [firstID])
                #expect(try await Self.report("from=\(firstCreated + 1)&to=\(secondCreated + 1)", from: api).routes.map(\.id) == [secondID])
                #expect(try await Self.report("from=\(firstCreated - 86_400_000)&to=\(firstCreated)", from: api).routes.isEmpty)

                // `limit`: one row more than fits says truncated.
                let one = try await Self.report("from=\(firstCreated)&to=\(secondCreated + 1)&limit=1", from: api)
                #expect(one.routes.map(\.id) == [firstID])
                #expect(one.truncated)
                let two = try await Self.report("from=\(firstCreated)&to=\(secondCreated + 1)&limit=2", from: api)
                #expect(two.routes.count == 2 && !two.truncated)
            }
        }
    }

    @Test(
        "Missing, reversed, too long or malformed periods are a 400 naming the parameter; 401 without a token, 403 without fleet:read",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
    func refusals() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, identity, _, _ in
                let now = TimestampPolicy.millis(from: .now)
                let day: Int64 = 86_400_000
                for (query, parameter) in [
                    ("", "from"), ("to=\(now)", "from"), ("from=\(now)", "to"), ("from=\(now)&to=\(now - 1)", "from"),
                    ("from=\(now)&to=\(now)", "from"), ("from=\(now - 93 * day - 1)&to=\(now)", "to"), ("from=soon&to=\(now)", "from"),
                    ("from=\(now - day)&to=99999999999999999", "to"), ("from=\(now - day)&to=\(now)&limit=0", "limit"),
                    ("from=\(now - day)&to=\(now)&limit=500001", "limit"),
                ] {
                    let (status, _, body) = try await Self.reportData(query, from: api)
                    #expect(status == .badRequest, "\(query): \(body)")
                    #expect(body.contains("'\(parameter)'"), "\(query): \(body)")
                }
                let quarter = try await Self.report("from=\(now - 93 * day)&to=\(now)", from: api)
                #expect(quarter.routes.isEmpty && !quarter.truncated)
                let week = try await Self.report("from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z", from: api)
                #expect(week.period == ReportPeriod(fromMillis: 1_795_392_000_000, toMillis: 1_795_996_800_000))

                let anonymous = try #require((api as? AuthorizedTestClient)?.anonymous)
                #expect(try await Self.reportData("from=\(now - day)&to=\(now)", from: anonymous).status == .unauthorized)
                var lacking = HTTPFields()
                lacking[.authorization] = "Bearer \(try await identity.token(scopes: [.routesWrite, .telemetryWrite]))"
                #expect(try await Self.reportData("from=\(now - day)&to=\(now)", from: api, headers: lacking).status == .forbidden)
                var reader = HTTPFields()
                reader[.authorization] = "Bearer \(try await identity.token(scopes: [.fleetRead]))"
                #expect(try await Self.reportData("from=\(now - day)&to=\(now)", from: api, headers: reader).status == .ok)
            }
        }
    }
}
