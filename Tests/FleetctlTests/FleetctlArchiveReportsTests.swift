import FleetTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

// `fleetctl archive …` and `fleetctl reports …` (issue #21), run as the built binary as an operator (or the weekly
// CronJob) runs them. The fleetctl target's code is not linked into this test target, so its helpers (ISO weeks, time
// forms, the download file-name guard, the tables) are checked through the binary: usage errors and an unreachable
// service need nothing, the rest runs against `StandInTracking`, a loopback stand-in that answers in the shapes of
// docs/openapi/tracking.yaml and records every request. fleet-tracking itself is exercised end to end elsewhere.

/// Usage errors (exit 2) and an unreachable fleet-tracking (exit 3): no service involved.
@Suite("fleetctl archive and reports without a service", .serialized, .timeLimit(.minutes(2)))
struct FleetctlArchiveReportsOfflineTests {
    @Test(
        "exit 2 with a message saying what is wrong",
        arguments: [
            (["archive", "list", "--from", "2026-02-30"], "--from must be a date YYYY-MM-DD, got '2026-02-30'"),
            (["archive", "list", "--from", "2026-03-10", "--to", "2026-03-01"], "--from must not be after --to"),
            (["archive", "list", "--request-timeout", "0"], "--request-timeout must be a positive number of seconds"),
            (["archive", "run"], "--day"),
            (["archive", "run", "--day", "2026-1-5"], "--day must be a date YYYY-MM-DD, got '2026-1-5'"),
            (["archive", "restore", "--day", "yesterday"], "--day must be a date YYYY-MM-DD, got 'yesterday'"),
            (["reports", "create"], "give the period: --from and --to, --last-week, or --week YYYY-Www"),
            (["reports", "create", "--week", "2026-W10", "--last-week"], "give only one of --from/--to, --last-week and --week"),
            (["reports", "create", "--week", "2026-W10", "--from", "2026-03-01", "--to", "2026-03-02"], "give only one of"),
            (["reports", "create", "--last-week", "--to", "2026-03-02"], "give only one of"),
            (["reports", "create", "--from", "2026-03-01"], "--from and --to go together: give both"),
            (["reports", "create", "--from", "2026-03-02", "--to", "2026-03-02"], "--from must be before --to"),
            (["reports", "create", "--from", "2026-03-09T00:00:00Z", "--to", "2026-03-02"], "--from must be before --to"),
            (["reports", "create", "--from", "1772409600000", "--to", "1772409599999"], "--from must be before --to"),
            (["reports", "create", "--from", "last monday", "--to", "2026-03-02"], "got 'last monday'"),
            (["reports", "create", "--from", "2026-03-01", "--to", "2026-02-30"], "--to must be an ISO 8601 time with a zone"),
            (["reports", "create", "--week", "2025-W53"], "--week 2025-W53: 2025 has ISO weeks 01-52"),
            (["reports", "create", "--week", "2026-W54"], "--week 2026-W54: 2026 has ISO weeks 01-53"),
            (["reports", "create", "--week", "2026-W00"], "2026 has ISO weeks 01-53"),
            (["reports", "create", "--week", "2026-10"], "--week must be an ISO week YYYY-Www"),
            (["reports", "create", "--week", "2026-W5"], "--week must be an ISO week YYYY-Www"),
            (["reports", "create", "--week", "W10-2026"], "--week must be an ISO week YYYY-Www"),
            (["reports", "list", "--limit", "0"], "--limit must be at least 1"),
            (["reports", "show"], "<id>"),
            (["reports", "download", "rep-1", "--file", "../rep-1.csv"], "--file must be a plain file name"),
            (["reports", "download", "rep-1", "--file", "csv/vehicles.csv"], "--file must be a plain file name"),
            (["reports", "download", "rep-1", "--file", ".."], "--file must be a plain file name"),
        ]
    )
    func usage(_ arguments: [String], _ message: String) async throws {
        // An invocation that wrongly got past parsing would meet a closed port and exit 3, never 0 or 2.
        let url = try Fleetctl.closedURL()
        let result = try await Fleetctl.run(arguments, environment: ["FLEET_TRACKING_URL": url, "FLEET_TOKEN": "any-token"])
        #expect(result.exitCode == FleetctlExit.usage, "\(result)")
        #expect(result.stderr.contains(message), "expected \"\(message)\" on stderr\n\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test(
        "exit 3: nothing listens on --tracking-url",
        arguments: [
            ["archive", "list"],
            ["archive", "run", "--day", "2026-01-10", "--drop"],
            ["archive", "restore", "--day", "2026-01-10"],
            ["reports", "create", "--last-week"],
            ["reports", "create", "--week", "2026-W53"],
            ["reports", "list"],
            ["reports", "show", "rep-1"],
            ["reports", "download", "rep-1"],
        ]
    )
    func unreachable(_ arguments: [String]) async throws {
        let url = try Fleetctl.closedURL()
        for json in [false, true] {
            let result = try await Fleetctl.run(
                arguments + ["--tracking-url", url, "--token", "any-token", "--request-timeout", "1"] + (json ? ["--json"] : []))
            #expect(result.exitCode == FleetctlExit.unreachable, "\(result)")
            #expect(result.stderr.contains("error: cannot reach fleet-tracking at \(url)"), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
        }
    }

    @Test("exit 3: FLEET_TRACKING_URL is the default of --tracking-url")
    func unreachableFromEnvironment() async throws {
        let url = try Fleetctl.closedURL()
        let result = try await Fleetctl.run(["reports", "list", "--request-timeout", "1"], environment: ["FLEET_TRACKING_URL": url, "FLEET_TOKEN": "any-token"])
        #expect(result.exitCode == FleetctlExit.unreachable, "\(result)")
        #expect(result.stderr.contains("cannot reach fleet-tracking at \(url)"), "\(result)")
    }
}

/// Against the stand-in: what fleetctl sends (paths, periods, token) and what it makes of the answers.
@Suite("fleetctl archive and reports against a stand-in fleet-tracking", .serialized, .timeLimit(.minutes(2)))
struct FleetctlArchiveReportsTests {
    static let token = "fct_stand-in-admin"
    static let dayColumns = ["DAY", "STATE", "HOT", "ROWS", "MB", "PARTS", "ARCHIVED", "DROPPED", "RESTORED", "RESTORED UNTIL", "LAST ERROR"]
    static let reportColumns = ["REPORT", "KIND", "FROM", "TO", "TAG", "VEHICLES", "GENERATED", "TITLE"]
    static let fileColumns = ["FILE", "BYTES", "TYPE"]

    /// `fleetctl arguments --tracking-url <stand-in> --token <token>`.
    static func fleetctl(_ tracking: StandInTracking, _ arguments: String...) async throws -> FleetctlResult {
        try await Fleetctl.run(arguments + ["--tracking-url", tracking.url, "--token", token])
    }

    /// Epoch milliseconds of an ISO 8601 time, parsed by Foundation (not by the code under test).
    static func millis(_ iso: String) throws -> Int64 {
        let date = try Date(iso, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: iso.contains(".")))
        return Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    /// The value of a `label: value` line of fleetctl's field output, nil when there is none.
    static func field(_ text: String, _ label: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(label + ":") {
            return line.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// A stand-in that makes a report of whatever period it is sent (201), as `POST /v1/reports` does.
    static func creatingReports() -> @Sendable (StandInTracking.Request) -> StandInTracking.Reply {
        { request in
            guard request.method == "POST", request.target == "/v1/reports" else { return .error(404, "no route \(request.target)") }
            let body = request.json
            guard let from = (body["from"] as? NSNumber)?.int64Value, let to = (body["to"] as? NSNumber)?.int64Value else {
                return .error(400, "'from' and 'to' are required")
            }
            return StandInTracking.Reply(
                status: 201, body: StandInTracking.reportJSON(id: "rep-1", fromMillis: from, toMillis: to, tag: body["tag"] as? String))
        }
    }

    // MARK: reports create

    @Test(
        "reports create --week: Monday 00:00 UTC to the next Monday, across year boundaries",
        arguments: [
            ("2026-W53", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z"),
            ("2027-W01", "2027-01-04T00:00:00Z", "2027-01-11T00:00:00Z"),
            ("2026-W01", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"),
            ("2025-W01", "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"),
            ("2020-W53", "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z"),
            ("2009-w53", "2009-12-28T00:00:00Z", "2010-01-04T00:00:00Z"),
            ("2026-W10", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"),
        ]
    )
    func week(_ week: String, _ from: String, _ to: String) async throws {
        try await StandInTracking.with(Self.creatingReports()) { tracking in
            let result = try await Self.fleetctl(tracking, "reports", "create", "--week", week, "--tag", "depot-a", "--title", "Week \(week)")
            #expect(result.exitCode == FleetctlExit.success, "\(result)")
            let requests = tracking.requests
            try #require(requests.count == 1, "\(requests.map(\.target))")
            let body = requests[0].json
            #expect((body["from"] as? NSNumber)?.int64Value == (try Self.millis(from)), "\(body)")
            #expect((body["to"] as? NSNumber)?.int64Value == (try Self.millis(to)), "\(body)")
            #expect(body["tag"] as? String == "depot-a" && body["title"] as? String == "Week \(week)", "\(body)")
            #expect(requests[0].headers["authorization"] == "Bearer \(Self.token)")
            #expect(requests[0].headers["content-type"]?.hasPrefix("application/json") == true)

            // The table: the report's fields (the period named as its ISO week), a blank line, its files.
            try #require(result.blocks.count == 2, "\(result)")
            #expect(Self.field(result.blocks[0], "report") == "rep-1", "\(result)")
            #expect(Self.field(result.blocks[0], "period")?.hasSuffix("(\(week.uppercased()))") == true, "\(result)")
            #expect(Self.field(result.blocks[0], "tag") == "depot-a", "\(result)")
            let files = try RenderedTable(result.blocks[1], columns: Self.fileColumns)
            #expect(files.rows.map { $0["FILE"] ?? "" } == ["vehicles.csv", "report.html"], "\(files)")
            #expect(files.row("FILE", "vehicles.csv")?["TYPE"] == "text/csv; charset=utf-8", "\(files)")
        }
    }

    @Test("reports create --last-week: the last complete ISO week before now, as JSON with --json")
    func lastWeek() async throws {
        try await StandInTracking.with(Self.creatingReports()) { tracking in
            let before = Int64(Date().timeIntervalSince1970 * 1_000)
            let result = try await Self.fleetctl(tracking, "reports", "create", "--last-week", "--json")
            let after = Int64(Date().timeIntervalSince1970 * 1_000)
            #expect(result.exitCode == FleetctlExit.success, "\(result)")
            #expect(try result.json()["id"] as? String == "rep-1", "\(result)")
            let body = try #require(tracking.requests.first?.json)
            let from = try #require((body["from"] as? NSNumber)?.int64Value, "\(body)")
            let to = try #require((body["to"] as? NSNumber)?.int64Value, "\(body)")
            let day: Int64 = 86_400_000
            #expect(to % day == 0, "ends at midnight UTC: \(to)")
            #expect((to / day + 3) % 7 == 0, "ends on a Monday (1970-01-05 was one): \(to)")
            #expect(to - from == 7 * day, "\(from) \(to)")
            // Complete (it ended by now) and the latest such (the current week started within the last 7 days).
            #expect(to <= after && to > before - 7 * day, "\(to) not the last Monday before \(before)")
            #expect(body["tag"] == nil && body["title"] == nil, "\(body)")
        }
    }

    @Test("reports create --from/--to: dates, ISO 8601 with fractional seconds and epoch milliseconds; not a week")
    func period() async throws {
        try await StandInTracking.with(Self.creatingReports()) { tracking in
            let first = try await Self.fleetctl(tracking, "reports", "create", "--from", "2026-03-01", "--to", "2026-03-08T12:00:00.250Z")
            #expect(first.exitCode == FleetctlExit.success, "\(first)")
            let second = try await Self.fleetctl(tracking, "reports", "create", "--from", "1772409600000", "--to", "2026-03-09")
            #expect(second.exitCode == FleetctlExit.success, "\(second)")
            let bodies = tracking.requests.map(\.json)
            try #require(bodies.count == 2)
            #expect((bodies[0]["from"] as? NSNumber)?.int64Value == 1_772_323_200_000, "\(bodies[0])")
            #expect((bodies[0]["to"] as? NSNumber)?.int64Value == (try Self.millis("2026-03-08T12:00:00.250Z")), "\(bodies[0])")
            #expect((bodies[1]["from"] as? NSNumber)?.int64Value == 1_772_409_600_000, "\(bodies[1])")
            #expect((bodies[1]["to"] as? NSNumber)?.int64Value == (try Self.millis("2026-03-09T00:00:00Z")), "\(bodies[1])")
            // Only an exact ISO week is named as one: the second period is 2026-W10, the first is not a week.
            #expect(Self.field(first.stdout, "period")?.contains("-W") == false, "\(first)")
            #expect(Self.field(second.stdout, "period")?.hasSuffix("(2026-W10)") == true, "\(second)")
        }
    }

    @Test(
        "reports create: the service's refusals and failures as exit codes, with its message",
        arguments: [
            (400, "a report covers at most 93 days", FleetctlExit.refused),
            (409, "the report exists already", FleetctlExit.refused),
            (401, "Missing bearer token", FleetctlExit.unauthorized),
            (403, "the token lacks the scope admin", FleetctlExit.unauthorized),
            (502, "the report could not be written or read", FleetctlExit.failed),
            (503, "reports need an object store (FLEET_ARCHIVE_S3_ENDPOINT)", FleetctlExit.failed),
        ]
    )
    func createRefused(_ status: Int, _ message: String, _ expected: Int32) async throws {
        try await StandInTracking.with({ _ in .error(status, message) }) { tracking in
            for json in [false, true] {
                let result = try await Self.fleetctl(tracking, "reports", "create", "--week", "2026-W10", json ? "--json" : "--output=table")
                #expect(result.exitCode == expected, "\(result)")
                #expect(result.stderr.contains("error: \(status): \(message)"), "\(result)")
                #expect(result.stdout.isEmpty, "\(result)")
            }
        }
    }

    // MARK: reports list / show

    @Test("reports list and show: tables, --limit, -o json passes the service's JSON through, 404 is exit 5")
    func listAndShow() async throws {
        let week = StandInTracking.reportJSON(id: "rep-2", fromMillis: 1_772_409_600_000, toMillis: 1_773_014_400_000, tag: nil)
        let tagged = StandInTracking.reportJSON(id: "rep-1", fromMillis: 1_772_323_200_000, toMillis: 1_772_409_600_000, tag: "depot-a")
        let routes: [String: StandInTracking.Reply] = [
            "GET /v1/reports?limit=2": .init(status: 200, body: #"{"reports":[\#(week),\#(tagged)]}"#),
            "GET /v1/reports/rep-2": .init(status: 200, body: week),
        ]
        try await StandInTracking.with(StandInTracking.routes(routes)) { tracking in
            let listed = try await Self.fleetctl(tracking, "reports", "list", "--limit", "2")
            #expect(listed.exitCode == FleetctlExit.success, "\(listed)")
            let table = try RenderedTable(listed.stdout, columns: Self.reportColumns)
            #expect(table.rows.map { $0["REPORT"] ?? "" } == ["rep-2", "rep-1"], "\(table)")
            #expect(table.row("REPORT", "rep-1")?["TAG"] == "depot-a" && table.row("REPORT", "rep-2")?["TAG"] == "-", "\(table)")
            #expect(table.row("REPORT", "rep-2")?["TITLE"] == "Fleet report rep-2", "\(table)")
            #expect(table.row("REPORT", "rep-2")?["VEHICLES"] == "12" && table.row("REPORT", "rep-2")?["KIND"] == "on_demand", "\(table)")

            let json = try await Self.fleetctl(tracking, "reports", "list", "--limit", "2", "-o", "json")
            #expect(json.exitCode == FleetctlExit.success, "\(json)")
            #expect((try json.json()["reports"] as? [[String: Any]])?.count == 2, "\(json)")

            let shown = try await Self.fleetctl(tracking, "reports", "show", "rep-2")
            #expect(shown.exitCode == FleetctlExit.success, "\(shown)")
            try #require(shown.blocks.count == 2, "\(shown)")
            #expect(Self.field(shown.blocks[0], "period")?.hasSuffix("(2026-W10)") == true, "\(shown)")
            #expect(Self.field(shown.blocks[0], "unavailable") == "routing", "\(shown)")
            #expect(Self.field(shown.blocks[0], "vehicles") == "12", "\(shown)")
            #expect(try RenderedTable(shown.blocks[1], columns: Self.fileColumns).rows.count == 2, "\(shown)")

            let missing = try await Self.fleetctl(tracking, "reports", "show", "rep-9")
            #expect(missing.exitCode == FleetctlExit.notFound, "\(missing)")
            #expect(missing.stderr.contains("error: 404: no route GET /v1/reports/rep-9"), "\(missing)")
        }
    }

    // MARK: reports download

    static let csv = "vehicle_id,distance_km\nvan-1,12.5\nvan-2,3.25\n"
    static let html = "<!doctype html><title>Fleet report</title><p>2 vehicles</p>\n"

    /// `GET /v1/reports/rep-1` listing `files` (name and listed size), and each file's contents by name.
    static func downloadRoutes(files: [(name: String, bytes: Int)], contents: [String: String]) -> @Sendable (StandInTracking.Request) -> StandInTracking.Reply {
        var routes: [String: StandInTracking.Reply] = [
            "GET /v1/reports/rep-1": .init(
                status: 200,
                body: StandInTracking.reportJSON(
                    id: "rep-1", fromMillis: 1_772_409_600_000, toMillis: 1_773_014_400_000, tag: nil,
                    files: files.map { file -> (name: String, bytes: Int, type: String) in
                        (file.name, file.bytes, file.name.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "text/html; charset=utf-8")
                    }))
        ]
        for (name, text) in contents {
            routes["GET /v1/reports/rep-1/files/\(name)"] = .init(status: 200, contentType: "text/plain; charset=utf-8", body: text)
        }
        return StandInTracking.routes(routes)
    }

    @Test("reports download: every file into --out (created), or only --file; sizes checked; unknown file is exit 5")
    func download() async throws {
        let directory = try ChildProcess.temporaryDirectory("fleetctl-download")
        defer { try? FileManager.default.removeItem(at: directory) }
        let routes = Self.downloadRoutes(
            files: [("vehicles.csv", Self.csv.utf8.count), ("report.html", Self.html.utf8.count)],
            contents: ["vehicles.csv": Self.csv, "report.html": Self.html])
        try await StandInTracking.with(routes) { tracking in
            let all = directory.appendingPathComponent("all/nested")
            let result = try await Self.fleetctl(tracking, "reports", "download", "rep-1", "--out", all.path)
            #expect(result.exitCode == FleetctlExit.success, "\(result)")
            #expect(try String(contentsOf: all.appendingPathComponent("vehicles.csv"), encoding: .utf8) == Self.csv)
            #expect(try String(contentsOf: all.appendingPathComponent("report.html"), encoding: .utf8) == Self.html)
            #expect(result.stdout.split(separator: "\n").count == 2, "\(result)")
            #expect(result.stdout.contains("vehicles.csv  \(Self.csv.utf8.count) bytes"), "\(result)")
            #expect(
                tracking.requests.map(\.target) == ["/v1/reports/rep-1", "/v1/reports/rep-1/files/vehicles.csv", "/v1/reports/rep-1/files/report.html"])

            let one = directory.appendingPathComponent("one")
            let single = try await Self.fleetctl(tracking, "reports", "download", "rep-1", "--file", "report.html", "--out", one.path, "--json")
            #expect(single.exitCode == FleetctlExit.success, "\(single)")
            let written = try #require(try single.json()["files"] as? [[String: Any]], "\(single)")
            #expect(written.count == 1 && written.first?["name"] as? String == "report.html" && written.first?["bytes"] as? Int == Self.html.utf8.count, "\(single)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: one.path) == ["report.html"])

            let unknown = try await Self.fleetctl(tracking, "reports", "download", "rep-1", "--file", "alerts.csv", "--out", one.path)
            #expect(unknown.exitCode == FleetctlExit.notFound, "\(unknown)")
            #expect(unknown.stderr.contains("report rep-1 has no file alerts.csv (it has vehicles.csv, report.html)"), "\(unknown)")
        }
    }

    @Test(
        "reports download refuses a file name from the service that is not a plain name, before writing anything",
        arguments: ["../escape.csv", "csv/vehicles.csv", "..", "", "a\\b.csv", "bad\nname.csv"]
    )
    func downloadRefusesNames(_ name: String) async throws {
        let directory = try ChildProcess.temporaryDirectory("fleetctl-download-guard")
        defer { try? FileManager.default.removeItem(at: directory) }
        let routes = Self.downloadRoutes(
            files: [("vehicles.csv", Self.csv.utf8.count), (name, Self.csv.utf8.count)],
            contents: ["vehicles.csv": Self.csv])
        try await StandInTracking.with(routes) { tracking in
            let out = directory.appendingPathComponent("out")
            let result = try await Self.fleetctl(tracking, "reports", "download", "rep-1", "--out", out.path)
            #expect(result.exitCode == FleetctlExit.failed, "\(result)")
            #expect(result.stderr.contains("refusing the file name"), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            // Nothing fetched but the listing, nothing written: not even the good file or the output directory.
            #expect(tracking.requests.map(\.target) == ["/v1/reports/rep-1"])
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        }
    }

    @Test("reports download: a file whose size differs from the listed one is not written (exit 1)")
    func downloadChecksSize() async throws {
        let directory = try ChildProcess.temporaryDirectory("fleetctl-download-size")
        defer { try? FileManager.default.removeItem(at: directory) }
        let routes = Self.downloadRoutes(files: [("vehicles.csv", 999)], contents: ["vehicles.csv": Self.csv])
        try await StandInTracking.with(routes) { tracking in
            let result = try await Self.fleetctl(tracking, "reports", "download", "rep-1", "--out", directory.path)
            #expect(result.exitCode == FleetctlExit.failed, "\(result)")
            #expect(result.stderr.contains("the report lists 999 bytes, fleet-tracking sent \(Self.csv.utf8.count); not written"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("vehicles.csv").path))
        }
    }

    // MARK: archive

    static let ledger = #"""
        {"enabled":true,"days":[
        {"day":"2026-01-10","state":"dropped","manifest_key":"fleet/telemetry/day=2026-01-10/manifest.json","rows":1234567,"bytes":12345678,"parts":3,"archived_at":"2026-01-12T03:00:00.000Z","dropped_at":"2026-01-12T03:00:05.000Z","hot":false},
        {"day":"2026-01-11","state":"pending","hot":true,"last_error":"upload failed: 503 Slow Down"}
        ]}
        """#

    @Test("archive list: the ledger as a table (sizes in MB, absent fields as -), the query, -o json, disabled archiving noted")
    func archiveList() async throws {
        let routes: [String: StandInTracking.Reply] = [
            "GET /v1/archive/days?from=2026-01-01&to=2026-01-31": .init(status: 200, body: Self.ledger),
            "GET /v1/archive/days": .init(status: 200, body: #"{"enabled":false,"days":[]}"#),
        ]
        try await StandInTracking.with(StandInTracking.routes(routes)) { tracking in
            let result = try await Self.fleetctl(tracking, "archive", "list", "--from", "2026-01-01", "--to", "2026-01-31")
            #expect(result.exitCode == FleetctlExit.success, "\(result)")
            #expect(tracking.requests.first?.headers["authorization"] == "Bearer \(Self.token)")
            let table = try RenderedTable(result.stdout, columns: Self.dayColumns)
            #expect(table.rows.count == 2, "\(table)")
            let dropped = try #require(table.row("DAY", "2026-01-10"), "\(table)")
            #expect(dropped["STATE"] == "dropped" && dropped["HOT"] == "no" && dropped["ROWS"] == "1234567", "\(dropped)")
            #expect(dropped["MB"] == "12.35" && dropped["PARTS"] == "3", "\(dropped)")
            #expect(dropped["ARCHIVED"] == "2026-01-12T03:00:00.000Z" && dropped["DROPPED"] == "2026-01-12T03:00:05.000Z", "\(dropped)")
            #expect(dropped["RESTORED"] == "-" && dropped["RESTORED UNTIL"] == "-" && dropped["LAST ERROR"] == "-", "\(dropped)")
            let pending = try #require(table.row("DAY", "2026-01-11"), "\(table)")
            #expect(pending["STATE"] == "pending" && pending["HOT"] == "yes" && pending["ROWS"] == "-" && pending["MB"] == "-", "\(pending)")
            #expect(pending["LAST ERROR"] == "upload failed: 503 Slow Down", "\(pending)")
            #expect(!result.stderr.contains("disabled"), "\(result)")

            let json = try await Self.fleetctl(tracking, "archive", "list", "--from", "2026-01-01", "--to", "2026-01-31", "--json")
            #expect(json.exitCode == FleetctlExit.success, "\(json)")
            #expect(try json.json()["enabled"] as? Bool == true, "\(json)")

            let disabled = try await Self.fleetctl(tracking, "archive", "list")
            #expect(disabled.exitCode == FleetctlExit.success, "\(disabled)")
            #expect(try RenderedTable(disabled.stdout, columns: Self.dayColumns).rows.isEmpty, "\(disabled)")
            #expect(disabled.stderr.contains("archiving is disabled"), "\(disabled)")
        }
    }

    @Test("archive run and restore: the paths (?drop=true only with --drop), the outcome's fields, 409/404/503 as exit codes")
    func archiveRunAndRestore() async throws {
        let outcome = #"{"day":"2026-01-10","result":"archived","rows":1234567,"bytes":12345678,"parts":3,"dropped":true,"seconds":4.2}"#
        let routes: [String: StandInTracking.Reply] = [
            "POST /v1/archive/days/2026-01-10?drop=true": .init(status: 200, body: outcome),
            "POST /v1/archive/days/2026-01-11": .error(409, "another replica is working on 2026-01-11"),
            "POST /v1/archive/days/2026-01-12?drop=true": .error(409, "2026-01-12 is within the retention of 7 days: it can be archived, not dropped"),
            "POST /v1/archive/days/2026-01-13": .error(503, "no archive is configured (FLEET_ARCHIVE_S3_ENDPOINT)"),
            "POST /v1/archive/days/2026-01-10/restore": .init(
                status: 200, body: #"{"day":"2026-01-10","rows":1234567,"inserted":1234000,"restored_until":"2026-01-20T00:00:00.000Z"}"#),
            "POST /v1/archive/days/2026-01-09/restore": .error(404, "2026-01-09 has no archive"),
        ]
        try await StandInTracking.with(StandInTracking.routes(routes)) { tracking in
            let run = try await Self.fleetctl(tracking, "archive", "run", "--day", "2026-01-10", "--drop")
            #expect(run.exitCode == FleetctlExit.success, "\(run)")
            #expect(Self.field(run.stdout, "result") == "archived", "\(run)")
            #expect(Self.field(run.stdout, "rows") == "1234567", "\(run)")
            #expect(Self.field(run.stdout, "bytes") == "12345678 (12.35 MB)", "\(run)")
            #expect(Self.field(run.stdout, "parts") == "3", "\(run)")
            #expect(Self.field(run.stdout, "seconds")?.hasPrefix("4") == true, "\(run)")
            #expect(Self.field(run.stdout, "dropped") == "yes", "\(run)")
            #expect(tracking.requests.last?.method == "POST")

            let busy = try await Self.fleetctl(tracking, "archive", "run", "--day", "2026-01-11")
            #expect(busy.exitCode == FleetctlExit.refused, "\(busy)")
            #expect(busy.stderr.contains("error: 409: another replica is working on 2026-01-11"), "\(busy)")
            let retained = try await Self.fleetctl(tracking, "archive", "run", "--day", "2026-01-12", "--drop", "--json")
            #expect(retained.exitCode == FleetctlExit.refused, "\(retained)")
            #expect(retained.stderr.contains("it can be archived, not dropped"), "\(retained)")
            let unconfigured = try await Self.fleetctl(tracking, "archive", "run", "--day", "2026-01-13")
            #expect(unconfigured.exitCode == FleetctlExit.failed, "\(unconfigured)")
            #expect(unconfigured.stderr.contains("error: 503: no archive is configured"), "\(unconfigured)")

            let restored = try await Self.fleetctl(tracking, "archive", "restore", "--day", "2026-01-10")
            #expect(restored.exitCode == FleetctlExit.success, "\(restored)")
            #expect(Self.field(restored.stdout, "rows") == "1234567" && Self.field(restored.stdout, "inserted") == "1234000", "\(restored)")
            #expect(Self.field(restored.stdout, "restored until") == "2026-01-20T00:00:00.000Z", "\(restored)")
            let notArchived = try await Self.fleetctl(tracking, "archive", "restore", "--day", "2026-01-09")
            #expect(notArchived.exitCode == FleetctlExit.notFound, "\(notArchived)")
            #expect(notArchived.stderr.contains("error: 404: 2026-01-09 has no archive"), "\(notArchived)")

            #expect(
                tracking.requests.map { "\($0.method) \($0.target)" } == [
                    "POST /v1/archive/days/2026-01-10?drop=true", "POST /v1/archive/days/2026-01-11", "POST /v1/archive/days/2026-01-12?drop=true",
                    "POST /v1/archive/days/2026-01-13", "POST /v1/archive/days/2026-01-10/restore", "POST /v1/archive/days/2026-01-09/restore",
                ])
        }
    }
}

// MARK: - A stand-in for fleet-tracking's HTTP API

/// An HTTP/1.1 server on a free loopback port that answers every request with `respond` and records it: enough of
/// fleet-tracking for fleetctl (one request per connection, `Connection: close`), on plain sockets and a thread of its
/// own, so a test controls every answer without a database, a broker or an object store.
final class StandInTracking: Sendable {
    struct Request: Sendable {
        var method: String
        /// Path and query, as sent.
        var target: String
        /// Header fields by lowercase name.
        var headers: [String: String]
        var body: [UInt8]

        /// The body as a JSON object (empty when it is none).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    struct Reply: Sendable {
        var status: Int
        var contentType = "application/json"
        var body: String

        /// fleet-tracking's error shape, `{"error":{"status":…,"message":…}}`.
        static func error(_ status: Int, _ message: String) -> Reply {
            let error: [String: Any] = ["status": status, "message": message]
            let object: [String: Any] = ["error": error]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Reply(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let respond: @Sendable (Request) -> Reply
    private let state = Mutex<(requests: [Request], stopped: Bool)>(([], false))

    /// Every request so far, in order.
    var requests: [Request] { state.withLock { $0.requests } }

    /// Listens on a free loopback port and serves from a thread until ``stop()``.
    init(respond: @escaping @Sendable (Request) -> Reply) throws {
        // A client that closes early must give EPIPE, not kill the test process.
        _ = signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("stand-in fleet-tracking: socket() failed, errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw HarnessError("stand-in fleet-tracking: cannot listen on loopback, errno \(errno)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        self.respond = respond
        Thread { [self] in self.serve() }.start()
    }

    /// Stops serving; the thread closes the socket within 50 ms.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Runs `body` with a stand-in answering with `respond`, stopped afterwards (also when `body` throws).
    static func with(
        _ respond: @escaping @Sendable (Request) -> Reply, _ body: (StandInTracking) async throws -> Void
    ) async throws {
        let tracking = try StandInTracking(respond: respond)
        defer { tracking.stop() }
        try await body(tracking)
    }

    /// Answers `"METHOD target"` from `table`, anything else with 404.
    static func routes(_ table: [String: Reply]) -> @Sendable (Request) -> Reply {
        { request in table["\(request.method) \(request.target)"] ?? .error(404, "no route \(request.method) \(request.target)") }
    }

    /// A report resource as `GET /v1/reports/{id}` returns it.
    static func reportJSON(
        id: String, fromMillis: Int64, toMillis: Int64, tag: String?,
        files: [(name: String, bytes: Int, type: String)] = [("vehicles.csv", 120, "text/csv; charset=utf-8"), ("report.html", 5_000, "text/html; charset=utf-8")]
    ) -> String {
        func iso(_ millis: Int64) -> String {
            Date(timeIntervalSince1970: Double(millis) / 1_000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        var report: [String: Any] = [
            "id": id, "title": "Fleet report \(id)", "kind": "on_demand", "from": iso(fromMillis), "to": iso(toMillis),
            "from_ms": Int(fromMillis), "to_ms": Int(toMillis), "generated_at": "2026-03-09T00:01:02.000Z", "vehicles": 12,
            "unavailable": ["routing"],
            "files": files.map { file -> [String: Any] in
                ["name": file.name, "bytes": file.bytes, "content_type": file.type, "url": "/v1/reports/\(id)/files/\(file.name)"]
            },
        ]
        if let tag { report["tag"] = tag }
        let data = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func serve() {
        while !state.withLock({ $0.stopped }) {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 50)
            if ready < 0, errno != EINTR { break }
            guard ready > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            if let request = Self.read(connection) {
                state.withLock { $0.requests.append(request) }
                Self.write(connection, respond(request))
            }
            close(connection)
        }
        close(listener)
    }

    /// One request: the head up to the empty line, then `Content-Length` bytes of body; nil when the client goes away
    /// or takes longer than 5 s.
    private static func read(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var head: (method: String, target: String, headers: [String: String], bodyStart: Int)?
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let head, data.count >= head.bodyStart + (Int(head.headers["content-length"] ?? "0") ?? 0) { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0, errno == EINTR { continue }
            guard ready >= 0 else { return nil }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if head == nil { head = parseHead(data) }
        }
        guard let head else { return nil }
        let length = Int(head.headers["content-length"] ?? "0") ?? 0
        guard data.count >= head.bodyStart + length else { return nil }
        return Request(
            method: head.method, target: head.target, headers: head.headers, body: Array(data[head.bodyStart..<(head.bodyStart + length)]))
    }

    /// The request line and header fields, once the empty line that ends them has arrived.
    private static func parseHead(_ data: [UInt8]) -> (method: String, target: String, headers: [String: String], bodyStart: Int)? {
        guard data.count >= 4 else { return nil }
        var end: Int?
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            end = index
            break
        }
        guard let end else { return nil }
        let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (String(requestLine[0]), String(requestLine[1]), headers, end + 4)
    }

    private static func write(_ fd: Int32, _ reply: Reply) {
        let body = Array(reply.body.utf8)
        let reason = [200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            502: "Bad Gateway", 503: "Service Unavailable"][reply.status] ?? "Status"
        let head = "HTTP/1.1 \(reply.status) \(reason)\r\nContent-Type: \(reply.contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            sent += count
        }
    }
}
