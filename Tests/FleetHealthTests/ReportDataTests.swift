import FleetCore
import FleetHealthRules
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

@testable import FleetHealth

/// `GET /v1/report-data`: fleet-health's incidents of a period and every vehicle's health, for fleet reports.
@Suite(
    "fleet-health report data (real broker, real database)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"),
    .timeLimit(.minutes(3)))
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

    @Test("Incidents open in [from, to) with kind, severity and times, oldest first; every vehicle's current health; limit truncates")
    func incidentsAndHealth() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { api, vehicle, _ in
                // Device times half an hour back, a minute apart: the incidents open and close at them.
                let base = TimestampPolicy.millis(from: .now) - 1_800_000
                // rep-a reports status fault at base+60 s; the third clean sample (base+240 s) closes the incident.
                try await HealthHarness.publish(HealthHarness.telemetry("rep-a", seq: 1, at: base), with: vehicle)
                try await HealthHarness.publish(HealthHarness.telemetry("rep-a", seq: 2, at: base + 60_000, speed: 0, status: .fault), with: vehicle)
                for seq in 3...5 as ClosedRange<UInt64> {
                    try await HealthHarness.publish(HealthHarness.telemetry("rep-a", seq: seq, at: base + Int64(seq - 1) * 60_000), with: vehicle)
                }
                // rep-b is paused at base+300 s and stays so; rep-c breaks down (a breakdown code) at base+600 s.
                try await HealthHarness.publish(HealthHarness.telemetry("rep-b", seq: 1, at: base + 300_000, speed: 0, status: .paused), with: vehicle)
                try await HealthHarness.publish(
                    HealthHarness.telemetry("rep-c", seq: 1, at: base + 600_000, speed: 0, status: .fault, codes: ["P0A0F"]), with: vehicle)
                try await eventually("three incidents, rep-a's closed") {
                    let all = try await harness.count("incidents")
                    let closed = try await harness.count("incidents", where: "ended_at IS NOT NULL")
                    return all == 3 && closed == 1
                }

                let hour = try await Self.report("from=\(base)&to=\(base + 3_600_000)", from: api)
                #expect(hour.period == ReportPeriod(fromMillis: base, toMillis: base + 3_600_000))
                #expect(hour.incidents.map(\.vehicleID) == ["rep-a", "rep-b", "rep-c"])
                #expect(hour.incidents.map(\.kind) == ["fault", "paused", "fault"])
                #expect(hour.incidents.map(\.severity) == ["critical", "info", "critical"])
                #expect(hour.incidents.map(\.openedMillis) == [base + 60_000, base + 300_000, base + 600_000])
                #expect(hour.incidents.map(\.closedMillis) == [base + 240_000, nil, nil])
                #expect(hour.alerts.isEmpty && hour.commands.isEmpty && hour.routes.isEmpty)
                #expect(!hour.truncated)
                // The same ids as the incident API.
                let (_, page) = try await HealthHarness.get("/v1/incidents?from=\(base)", from: api)
                let listed = Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                #expect(Set(hour.incidents.map(\.id)) == listed)

                // Health: every vehicle heard from (first heard now, before the period's end), by id, with the score the
                // vehicle's health page shows and its worst condition as the reason.
                #expect(hour.health.map(\.vehicleID) == ["rep-a", "rep-b", "rep-c"])
                for record in hour.health {
                    let (status, page) = try await HealthHarness.get("/v1/vehicles/\(record.vehicleID)/health", from: api)
                    #expect(status == .ok)
                    #expect(record.score == Double(page["score"] as? Int ?? -1), "\(record.vehicleID)")
                    #expect(record.maintenanceDueMillis == nil, "no forecast, no maintenance due")
                    if (page["active"] as? [Any])?.isEmpty == true { #expect(record.reason == nil, "\(record.vehicleID)") }
                }
                let byVehicle = Dictionary(uniqueKeysWithValues: hour.health.map { ($0.vehicleID, $0) })
                #expect(byVehicle["rep-b"]?.reason == "paused")
                #expect(byVehicle["rep-c"]?.score == 0)
                // fault:P0A0F and status_fault:coded weigh the same; the tie goes to the key.
                #expect(byVehicle["rep-c"]?.reason == "fault:P0A0F")

                // Window boundaries: an incident closed at `from` was open then; one opened at `to` is not in the period.
                let closingEdge = try await Self.report("from=\(base + 240_000)&to=\(base + 300_000)", from: api)
                #expect(closingEdge.incidents.map(\.vehicleID) == ["rep-a"])
                let afterClose = try await Self.report("from=\(base + 240_001)&to=\(base + 300_001)", from: api)
                #expect(afterClose.incidents.map(\.vehicleID) == ["rep-b"])
                let before = try await Self.report("from=\(base - 3_600_000)&to=\(base + 60_000)", from: api)
                #expect(before.incidents.isEmpty)
                let late = try await Self.report("from=\(base + 600_001)&to=\(base + 3_600_000)", from: api)
                #expect(late.incidents.map(\.vehicleID) == ["rep-b", "rep-c"], "still open, so in any later period")
                // Vehicles first heard from after a period are not in it.
                #expect(closingEdge.health.isEmpty)
                #expect(before.health.isEmpty)

                // `limit` bounds each list; one row more than fits says truncated.
                let two = try await Self.report("from=\(base)&to=\(base + 3_600_000)&limit=2", from: api)
                #expect(two.incidents.map(\.vehicleID) == ["rep-a", "rep-b"])
                #expect(two.health.map(\.vehicleID) == ["rep-a", "rep-b"])
                #expect(two.truncated)
                let three = try await Self.report("from=\(base)&to=\(base + 3_600_000)&limit=3", from: api)
                #expect(three.incidents.count == 3 && three.health.count == 3)
                #expect(!three.truncated)
            }
        }
    }

    @Test("Missing, reversed, too long or malformed periods are a 400 naming the parameter; 401 without a token, 403 without fleet:read")
    func refusals() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.runWithIdentity { api, identity in
                let now = TimestampPolicy.millis(from: .now)
                let day: Int64 = 86_400_000
                for (query, parameter) in [
                    ("", "from"), ("to=\(now)", "from"), ("from=\(now)", "to"), ("from=\(now)&to=\(now - 1)", "from"),
                    ("from=\(now)&to=\(now)", "from"), ("from=\(now - 94 * day)&to=\(now)", "to"), ("from=\(now - 93 * day - 1)&to=\(now)", "to"),
                    ("from=yesterday&to=\(now)", "from"), ("from=\(now - day)&to=soon", "to"), ("from=-5&to=\(now)", "from"),
                    ("from=\(now - day)&to=99999999999999999", "to"), ("from=\(now - day)&to=\(now)&limit=0", "limit"),
                    ("from=\(now - day)&to=\(now)&limit=500001", "limit"), ("from=\(now - day)&to=\(now)&limit=many", "limit"),
                ] {
                    let (status, _, body) = try await Self.reportData(query, from: api)
                    #expect(status == .badRequest, "\(query): \(body)")
                    #expect(body.contains("'\(parameter)'"), "\(query): \(body)")
                }
                // The longest period, and ISO 8601 times.
                let quarter = try await Self.report("from=\(now - 93 * day)&to=\(now)&limit=500000", from: api)
                #expect(quarter.period.toMillis - quarter.period.fromMillis == 93 * day)
                let week = try await Self.report("from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00.000Z", from: api)
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
