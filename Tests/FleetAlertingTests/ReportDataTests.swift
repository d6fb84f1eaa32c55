import FleetCore
import FleetReports
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetAlerting

/// `GET /v1/report-data`: the alerts of a period for fleet reports, against the running service (broker + PostgreSQL).
@Suite(
    "fleet-alerting report data", .serialized, .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"),
    .timeLimit(.minutes(2)))
struct ReportDataTests {
    @Test("Every alert raised in [from, to), by raise time then id, with type, severity, vehicle and its times; limit truncates")
    func alertsOfAPeriod() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.run { client in
                try await client.createRule(#"{"id":"battery","event_types":["low_battery"]}"#)
                try await client.createRule(#"{"id":"offline","event_types":["offline"],"severity":"critical"}"#)
                let before = Self.nowMillis()
                try await h.publish([event(.lowBattery, "van-1"), event(.offline, "van-2"), event(.lowBattery, "van-3", severity: .critical)])
                try await eventually("three vehicle alerts") { try await client.alerts().count == 3 }
                let (posted, text) = try await client.raw(.post, "/v1/platform-alerts", body: Self.platformAlert)
                #expect(posted == .ok, "\(text)")
                let raised = try await client.alerts()
                #expect(raised.count == 4)
                let van1 = try #require(raised.first { $0.vehicleID == "van-1" })
                let van2 = try #require(raised.first { $0.vehicleID == "van-2" })
                let van3 = try #require(raised.first { $0.vehicleID == "van-3" })
                let platform = try #require(raised.first { $0.vehicleID == nil })
                // van-1 acknowledged; van-2 resolved without an acknowledgement; van-3 both; the platform alert open.
                _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(van1.id)/ack")
                _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(van2.id)/resolve")
                _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(van3.id)/ack")
                _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(van3.id)/resolve")
                let after = Self.nowMillis()

                let (from, to) = (before - 1_000, after + 1_000)
                let report = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(from)&to=\(to)")
                #expect(report.period == ReportPeriod(fromMillis: from, toMillis: to))
                #expect(report.alerts.count == 4)
                #expect(!report.truncated)
                #expect(report.commands.isEmpty && report.incidents.isEmpty && report.health.isEmpty && report.routes.isEmpty)
                let keys = report.alerts.map { ($0.raisedMillis, $0.id) }
                #expect(zip(keys, keys.dropFirst()).allSatisfy { pair in pair.0 < pair.1 }, "ordered by raise time, then id: \(keys)")

                // Each record says what the alert API says (times to the millisecond).
                for alert in try await client.alerts() {
                    let record = try #require(report.alerts.first { $0.id == alert.id })
                    #expect(record.type == alert.eventType && record.severity == alert.severity && record.vehicleID == alert.vehicleID)
                    #expect(Self.sameMillis(record.raisedMillis, alert.firedAt), "raised \(record.raisedMillis) vs \(alert.firedAt)")
                    #expect(Self.sameMillis(record.acknowledgedMillis, alert.acknowledgedAt), "acknowledged \(String(describing: record.acknowledgedMillis))")
                    #expect(Self.sameMillis(record.resolvedMillis, alert.resolvedAt), "resolved \(String(describing: record.resolvedMillis))")
                    #expect((before - 1...after + 1).contains(record.raisedMillis))
                }
                let byID = Dictionary(uniqueKeysWithValues: report.alerts.map { ($0.id, $0) })
                #expect(byID[van1.id]?.type == "low_battery" && byID[van1.id]?.severity == "warning")
                #expect(byID[van1.id]?.acknowledgedMillis != nil && byID[van1.id]?.resolvedMillis == nil)
                #expect(byID[van2.id]?.type == "offline" && byID[van2.id]?.severity == "critical")
                #expect(byID[van2.id]?.acknowledgedMillis == nil && byID[van2.id]?.resolvedMillis != nil)
                #expect(byID[van3.id]?.severity == "critical")
                #expect(byID[van3.id]?.acknowledgedMillis != nil && byID[van3.id]?.resolvedMillis != nil)
                if let record = byID[van3.id], let acknowledged = record.acknowledgedMillis, let resolved = record.resolvedMillis {
                    #expect(record.raisedMillis <= acknowledged && acknowledged <= resolved)
                }
                #expect(byID[platform.id]?.type == "platform_alert" && byID[platform.id]?.vehicleID == nil)
                #expect(byID[platform.id]?.acknowledgedMillis == nil && byID[platform.id]?.resolvedMillis == nil)

                // [from, to): a period starting at an alert's raise time holds it, one ending there does not.
                for record in report.alerts {
                    let at = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(record.raisedMillis)&to=\(record.raisedMillis + 1)")
                    #expect(at.alerts.contains(record))
                    #expect(at.alerts == report.alerts.filter { $0.raisedMillis == record.raisedMillis })
                    let until = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(from)&to=\(record.raisedMillis)")
                    #expect(!until.alerts.contains(record))
                    #expect(until.alerts == report.alerts.filter { $0.raisedMillis < record.raisedMillis })
                }
                let later = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(to)&to=\(to + 86_400_000)")
                #expect(later.alerts.isEmpty && !later.truncated)

                // ISO 8601 bounds work as milliseconds do.
                let iso = try await client.json(
                    ReportData.self, .get, "/v1/report-data?from=\(Self.iso(from))&to=\(Self.iso(to))")
                #expect(iso.alerts == report.alerts)

                // The limit: the first alerts in order, and `truncated` only when more were raised.
                let two = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(from)&to=\(to)&limit=2")
                #expect(two.alerts == Array(report.alerts.prefix(2)))
                #expect(two.truncated)
                let exact = try await client.json(ReportData.self, .get, "/v1/report-data?from=\(from)&to=\(to)&limit=4")
                #expect(exact.alerts == report.alerts)
                #expect(!exact.truncated)
            }
        }
    }

    @Test("Missing, malformed, reversed, empty or too long periods and bad limits are 400 with a message; 401 without a token, 403 without fleet:read")
    func refusals() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.runWithIdentity { client, identity in
                let day: Int64 = 86_400_000
                let refused: [(query: String, message: String)] = [
                    ("", "'from' is required"),
                    ("?to=1000", "'from' is required"),
                    ("?from=1000", "'to' is required"),
                    ("?from=yesterday&to=1000", "'from' must be milliseconds since the epoch or an ISO 8601 time"),
                    ("?from=1000&to=2026-13-45", "'to' must be"),
                    ("?from=2000&to=2000", "'to' must be after 'from'"),
                    ("?from=3000&to=2000", "'to' must be after 'from'"),
                    ("?from=0&to=\(93 * day + 1)", "at most 93 days"),
                    ("?from=-1&to=1000", "'from' must be a time from 1970"),
                    ("?from=0&to=\(Int64.max)", "'to' must be a time from 1970"),
                    ("?from=0&to=1000&limit=0", "'limit' must be an integer in 1...500000"),
                    ("?from=0&to=1000&limit=500001", "'limit' must be an integer in 1...500000"),
                    ("?from=0&to=1000&limit=many", "'limit'"),
                ]
                for (query, message) in refused {
                    let (status, body) = try await client.raw(.get, "/v1/report-data\(query)")
                    #expect(status == .badRequest, "\(query): \(status) \(body)")
                    #expect(body.contains(message), "\(query): \(body)")
                }
                // The longest period and the highest limit are accepted.
                let longest = try await client.json(ReportData.self, .get, "/v1/report-data?from=0&to=\(93 * day)&limit=500000")
                #expect(longest.period == ReportPeriod(fromMillis: 0, toMillis: 93 * day) && longest.alerts.isEmpty)

                let anonymous = try #require((client as? AuthorizedTestClient)?.anonymous)
                let unauthenticated = try await anonymous.execute(uri: "/v1/report-data?from=0&to=1000", method: .get)
                #expect(unauthenticated.status == .unauthorized)
                let writer = try await identity.token(scopes: [.alertsWrite, .webhooksAdmin])
                let lacking = try await anonymous.execute(
                    uri: "/v1/report-data?from=0&to=1000", method: .get, headers: [.authorization: "Bearer \(writer)"])
                #expect(lacking.status == .forbidden)
                let reader = try await identity.token(scopes: [.fleetRead])
                let allowed = try await anonymous.execute(
                    uri: "/v1/report-data?from=0&to=1000", method: .get, headers: [.authorization: "Bearer \(reader)"])
                #expect(allowed.status == .ok)
            }
        }
    }

    /// A firing Alertmanager alert (a platform alert: no vehicle).
    static let platformAlert = #"""
        {"version":"4","alerts":[{"status":"firing","labels":{"alertname":"FleetServiceDown","severity":"critical"},
         "startsAt":"2026-12-07T01:02:03Z","fingerprint":"a1b2c3d4e5f60718"}]}
        """#

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func iso(_ millis: Int64) -> String { Timestamp.string(Date(timeIntervalSince1970: Double(millis) / 1000)) }

    /// Whether a record's time is the API's ISO 8601 time to the millisecond (±1 for the API's formatting, which may
    /// truncate where the record rounds), or both are absent.
    static func sameMillis(_ millis: Int64?, _ text: String?) -> Bool {
        switch (millis, text) {
        case (nil, nil): return true
        case (let millis?, let text?):
            guard let date = Timestamp.parse(text) else { return false }
            return abs(millis - Int64((date.timeIntervalSince1970 * 1000).rounded())) <= 1
        default: return false
        }
    }
}
