import AsyncHTTPClient
import Configuration
import FleetCore
import FleetMQTT
import FleetObjectStore
import FleetReports
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import Testing

@testable import FleetTracking

/// Fleet reports against the real database and S3-compatible server: figures checked against SQL over the generated
/// week, the API, and the `report_ready` event.
@Suite(
    "Fleet reports", .enabled(if: TestPostgres.isConfigured && TestObjectStore.isConfigured, "needs the local stack (PostgreSQL, S3)"),
    .timeLimit(.minutes(4)))
struct ReportTests {
    static let week = ReportSchedule.lastCompleteWeek(before: TimestampPolicy.millis(from: .now))

    @Test("The generator's history is plausible: ordered, valid statuses, odometer never decreasing, deterministic")
    func generatorIsPlausible() {
        let generator = HistoryGenerator(vehicles: 3, days: 2, startMillis: Self.week.fromMillis, activeIntervalSeconds: 60)
        for index in 0..<3 {
            let rows = generator.rows(vehicle: index)
            #expect(rows == generator.rows(vehicle: index))
            #expect(rows.count > 600)
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.deviceTimeMicros < $1.deviceTimeMicros && $0.seq + 1 == $1.seq })
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.odometerM <= $1.odometerM })
            #expect(rows.allSatisfy { ["idle", "moving", "paused", "charging", "fault"].contains($0.status) })
            #expect(rows.allSatisfy { VehicleID(validating: $0.vehicleID) != nil })
            #expect(rows.first!.deviceTimeMicros >= Self.week.fromMillis * 1000)
            #expect(rows.last!.deviceTimeMicros < (Self.week.fromMillis + 2 * ArchiveDay.millisPerDay) * 1000)
            #expect(Set(rows.map(\.status)).isSuperset(of: ["idle", "moving"]))
        }
        #expect(generator.rows(vehicle: 0) != generator.rows(vehicle: 1))
    }

    @Test func lastCompleteWeekIsMondayToMonday() {
        // Monday 2026-12-07 12:00 UTC → 2026-11-30 … 2026-12-07; Sunday 2026-12-06 23:59 → 2026-11-23 … 2026-11-30.
        let monday = ArchiveDay(iso: "2026-12-07")!.startMillis
        #expect(ReportSchedule.lastCompleteWeek(before: monday + 43_200_000) == ReportPeriod(fromMillis: ArchiveDay(iso: "2026-11-30")!.startMillis, toMillis: monday))
        #expect(ReportSchedule.lastCompleteWeek(before: monday) == ReportPeriod(fromMillis: ArchiveDay(iso: "2026-11-30")!.startMillis, toMillis: monday))
        #expect(
            ReportSchedule.lastCompleteWeek(before: monday - 60_000)
                == ReportPeriod(fromMillis: ArchiveDay(iso: "2026-11-23")!.startMillis, toMillis: ArchiveDay(iso: "2026-11-30")!.startMillis))
    }

    /// Per vehicle, straight from the telemetry with SQL: samples, distance, driving seconds, battery used, silences
    /// (count and seconds), fault runs, moving→stopped transitions.
    struct Expected {
        var samples: Int
        var distance: Double
        var driving: Double
        var battery: Double
        var silences: Int
        var silentSeconds: Double
        var faultRuns: Int
        var stopTransitions: Int
    }

    static func expected(_ client: PostgresClient, schema: String, period: ReportPeriod) async throws -> [String: Expected] {
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    WITH s AS (
                      SELECT vehicle_id, device_time, speed_mps::float8 AS sp, odometer_m, battery_pct::float8 AS bat, status,
                        lag(device_time) OVER w AS pt, lag(speed_mps::float8) OVER w AS ps, lag(odometer_m) OVER w AS po,
                        lag(battery_pct::float8) OVER w AS pb, lag(status) OVER w AS pst
                      FROM \(schema).telemetry
                      WHERE device_time >= to_timestamp(\(period.fromMillis) / 1000.0) AND device_time < to_timestamp(\(period.toMillis) / 1000.0)
                      WINDOW w AS (PARTITION BY vehicle_id ORDER BY device_time, seq))
                    SELECT vehicle_id, count(*)::int8,
                      coalesce(sum(greatest(odometer_m - po, 0)), 0)::float8,
                      coalesce(sum(extract(epoch FROM device_time - pt)) FILTER (WHERE ps >= 0.5 AND device_time - pt <= interval '300 s'), 0)::float8,
                      coalesce(sum(greatest(pb - bat, 0)), 0)::float8,
                      count(*) FILTER (WHERE device_time - pt > interval '300 s')::int8,
                      coalesce(sum(extract(epoch FROM device_time - pt)) FILTER (WHERE device_time - pt > interval '300 s'), 0)::float8,
                      count(*) FILTER (WHERE status = 'fault' AND (pst IS DISTINCT FROM 'fault' OR device_time - pt > interval '300 s'))::int8,
                      count(*) FILTER (WHERE ps >= 0.5 AND sp < 0.5)::int8
                    FROM s GROUP BY vehicle_id
                    """), logger: silentLogger)
        var result: [String: Expected] = [:]
        for try await (id, samples, distance, driving, battery, silences, silent, faults, transitions) in rows.decode(
            (String, Int64, Double, Double, Double, Int64, Double, Int64, Int64).self)
        {
            result[id] = Expected(
                samples: Int(samples), distance: distance, driving: driving, battery: battery, silences: Int(silences), silentSeconds: silent,
                faultRuns: Int(faults), stopTransitions: Int(transitions))
        }
        return result
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(a), abs(b)) }

    @Test("A week of generated history: every vehicle's figures in the stored report equal SQL over the telemetry; fleet and tag totals add up")
    func figuresMatchTheDatabase() async throws {
        try await TestPostgres.withSchema { client, schema in
            let migrations = try MigrationRunner(
                client: client, schema: schema, migrations: try PostgresTrackingRepository.migrations(), logger: silentLogger)
            try await migrations.migrate()
            let repository = PostgresTrackingRepository(client: client, schema: schema, logger: silentLogger)
            let generator = HistoryGenerator(vehicles: 12, days: 7, startMillis: Self.week.fromMillis, seed: 7, activeIntervalSeconds: 60)
            let written = try await OfflineDatabase.write(generator, into: repository)
            #expect(written > 12 * 7 * 500)
            try await TestObjectStore.withBucket { store, _ in
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                defer { _ = http.shutdown() }
                var archive = ArchiveConfiguration()
                archive.prefix = "test/\(schema)"
                let archiver = TelemetryArchiver(
                    repository: repository, store: store, configuration: archive, owner: "test", metrics: ArchiveMetrics(),
                    manifests: ManifestCache(), logger: silentLogger)
                let reports = ReportGenerator(
                    repository: repository, archiver: archiver, configuration: ReportConfiguration(), movingThreshold: 0.5, httpClient: http,
                    metrics: ReportMetrics(), logger: silentLogger)
                let made = try #require(try await reports.generate(.init(period: Self.week, tag: nil, title: nil, kind: "on_demand")))
                #expect(made.status == "ready")
                #expect(made.vehicles == 12)
                #expect(Set(made.unavailable) == ["alerts", "commands", "incidents", "health", "routing"])
                let names = made.files.map(\.name)
                #expect(names.contains("report.html") && names.contains("vehicles.csv") && names.contains("report.json"))
                let json = try await store.get("\(reports.prefix(of: made.id))/report.json")
                let report = try JSONDecoder().decode(FleetReport.self, from: Data(json))

                let expected = try await Self.expected(client, schema: schema, period: Self.week)
                #expect(report.vehicles.count == 12)
                var faultRuns = 0
                for row in report.vehicles {
                    let e = try #require(expected[row.vehicleID], "\(row.vehicleID)")
                    #expect(row.samples == e.samples, "\(row.vehicleID)")
                    #expect(Self.close(row.distanceKm * 1000, e.distance), "\(row.vehicleID) distance \(row.distanceKm) vs \(e.distance)")
                    #expect(Self.close(row.drivingHours * 3600, e.driving), "\(row.vehicleID) driving")
                    if row.batteryUsedPct != nil { #expect(Self.close(row.batteryUsedPct!, e.battery), "\(row.vehicleID) battery") }
                    #expect(Self.close(row.downtimeHours(.offline) * 3600, e.silentSeconds), "\(row.vehicleID) offline")
                    #expect(row.stops > 0 && row.stops <= e.stopTransitions, "\(row.vehicleID) stops \(row.stops) of \(e.stopTransitions)")
                    #expect(row.tags == generator.tags(Int(row.vehicleID.suffix(5))!).sorted())
                    faultRuns += e.faultRuns
                }
                let downtime = try await reports.activity(period: Self.week, tag: nil).vehicles.flatMap(\.downtime)
                #expect(downtime.filter { $0.cause == .fault }.count == faultRuns)
                #expect(downtime.filter { $0.cause == .offline }.count == expected.values.reduce(0) { $0 + $1.silences })
                #expect(Self.close(report.totals.distanceKm, report.vehicles.reduce(0) { $0 + $1.distanceKm }))
                #expect(Self.close(report.totals.drivingHours, report.vehicles.reduce(0) { $0 + $1.drivingHours }))
                #expect(Self.close(report.totals.utilisation ?? -1, report.totals.drivingHours / (12 * 7 * 24)))
                #expect(report.daily.count == 7)
                let north = try #require(report.tags.first { $0.tag == "north" })
                #expect(north.totals.vehicles == 6)

                // A tag's own report holds only that tag's vehicles.
                let tagged = try #require(try await reports.generate(.init(period: Self.week, tag: "trucks", title: "Trucks", kind: "on_demand")))
                #expect(tagged.vehicles == 4 && tagged.title == "Trucks" && tagged.tag == "trucks")
                // A weekly report is made once per week and tag.
                #expect(try await reports.generate(.init(period: Self.week, tag: nil, title: nil, kind: "weekly")) != nil)
                #expect(try await reports.generate(.init(period: Self.week, tag: nil, title: nil, kind: "weekly")) == nil)
                #expect(try await repository.reports(limit: 10).count == 3)
            }
        }
    }
}

/// Reports through fleet-tracking's API, and the `report_ready` event they announce.
@Suite(
    "Fleet reports through the API",
    .enabled(if: TestPostgres.isConfigured && TestObjectStore.isConfigured, "needs the local stack (PostgreSQL, S3)"),
    .timeLimit(.minutes(3)))
struct ReportAPITests {
    @Test("POST /v1/reports makes the report (201, Location), lists it, serves its files; the report_ready event follows; bad requests are 400/403/404")
    func createListServe() async throws {
        let bucket = TestObjectStore.bucketName()
        var extra = TrackingHarness.archiveValues(bucket: bucket)
        // A service that does not answer: its sections say so, the report is still made.
        extra["fleet.reports.alertingUrl"] = .init(.string("http://127.0.0.1:1"), isSecret: false)
        try await TrackingHarness.run(extra: extra) { harness, apis, vehicle in
            let api = apis[0]
            let repository = PostgresTrackingRepository(client: harness.admin, schema: harness.schema, logger: silentLogger)
            let week = ReportTests.week
            _ = try await OfflineDatabase.write(
                HistoryGenerator(vehicles: 3, days: 2, startMillis: week.fromMillis, activeIntervalSeconds: 120), into: repository)

            try await vehicle.subscribe(to: FleetTopics.events(.reportReady)) { events in
                let body = #"{"from": \#(week.fromMillis), "to": "\#(ISO8601DateFormatter().string(from: TimestampPolicy.date(fromMillis: week.toMillis)))", "title": "Week <b>&</b>"}"#
                let created = try await api.execute(
                    uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let report = try JSONDecoder().decode(ReportResource.self, from: Data(buffer: created.body))
                #expect(created.headers[.location] == "/v1/reports/\(report.id)")
                #expect(report.vehicles == 3)
                #expect(report.unavailable.contains("alerts"))

                // The event, at least once, with the report's id and where its page is.
                var received: FleetEvent?
                for await message in events {
                    let event = try FleetCodec.decode(FleetEvent.self, from: message.payload)
                    if event.attributes["report_id"] == report.id { received = event; break }
                }
                let event = try #require(received)
                #expect(event.type == .reportReady && event.vehicleID == nil)
                #expect(event.attributes["html"] == "/v1/reports/\(report.id)/files/report.html")
                #expect(event.attributes["vehicles"] == "3")
                #expect(event.attributes["from_ms"] == "\(week.fromMillis)")

                let (status, list) = try await TrackingHarness.get(
                    ReportController<PostgresTrackingRepository, AppRequestContext>.ReportList.self, "/v1/reports", from: api)
                #expect(status == .ok && list?.reports.map(\.id) == [report.id])
                let one = try await api.execute(uri: "/v1/reports/\(report.id)", method: .get)
                #expect(one.status == .ok)

                let html = try await api.execute(uri: "/v1/reports/\(report.id)/files/report.html", method: .get)
                #expect(html.status == .ok)
                #expect(html.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let page = String(buffer: html.body)
                #expect(page.contains("<svg") && !page.contains("<script") && page.contains("Week &lt;b&gt;&amp;&lt;/b&gt;"))
                let csv = try await api.execute(uri: "/v1/reports/\(report.id)/files/vehicles.csv", method: .get)
                #expect(csv.status == .ok && csv.headers[.contentDisposition]?.contains("attachment") == true)
                #expect(String(buffer: csv.body).split(separator: "\r\n").count == 4)  // header + 3 vehicles

                for uri in ["/v1/reports/\(report.id)/files/secrets.txt", "/v1/reports/\(report.id)/files/..%2Fmanifest.json", "/v1/reports/nope"] {
                    #expect(try await api.execute(uri: uri, method: .get).status == .notFound, "\(uri)")
                }
            }
            for (body, why) in [
                (#"{"from": 2000, "to": 1000}"#, "reversed"), (#"{"from": 0, "to": 9000000000}"#, "over 93 days"),
                (#"{"from": 0, "to": 1000, "tag": "a b"}"#, "bad tag"), (#"{"from": "yesterday", "to": 1000}"#, "bad time"), ("{", "malformed"),
            ] {
                let answer = try await api.execute(uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(answer.status == .badRequest, "\(why): \(answer.status)")
            }
            // The weekly report: once per week; asked again, the same report (200).
            let weekly = #"{"from": \#(week.fromMillis), "to": \#(week.toMillis), "kind": "weekly"}"#
            let first = try await api.execute(uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: weekly))
            #expect(first.status == .created)
            let again = try await api.execute(uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: weekly))
            #expect(again.status == .ok)
            let firstID = try JSONDecoder().decode(ReportResource.self, from: Data(buffer: first.body)).id
            #expect(try JSONDecoder().decode(ReportResource.self, from: Data(buffer: again.body)).id == firstID)
            #expect(try JSONDecoder().decode(ReportResource.self, from: Data(buffer: again.body)).kind == "weekly")
            let notAWeek = #"{"from": \#(week.fromMillis + 3_600_000), "to": \#(week.toMillis + 3_600_000), "kind": "weekly"}"#
            #expect(
                try await api.execute(uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: notAWeek))
                    .status == .badRequest)
            let reader = try await harness.identity.token(scopes: [.fleetRead])
            let denied = try await api.execute(
                uri: "/v1/reports", method: .post, headers: [.authorization: "Bearer \(reader)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"from": 0, "to": 1000}"#))
            #expect(denied.status == .forbidden)
        }
    }

    @Test("Without an object store the report endpoints answer 503")
    func disabled() async throws {
        try await TrackingHarness.run { _, apis, _ in
            let created = try await apis[0].execute(
                uri: "/v1/reports", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"from": 0, "to": 1000}"#))
            #expect(created.status == .serviceUnavailable)
        }
    }
}
