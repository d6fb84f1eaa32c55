import ArgumentParser
import Foundation

/// `fleetctl reports create|list|show|download`: fleet reports made by fleet-tracking and their files.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Fleet reports (utilisation, downtime, incidents, alerts, commands, health, routing): make one, list them, fetch their files (fleet-tracking API).",
        discussion: """
            fleet-tracking is found with --tracking-url, FLEET_TRACKING_URL, the fleetctl login profile (fleetctl login --tracking URL), \
            or http://127.0.0.1:8081. Creating needs admin, reading fleet:read. Exit status: 2 usage, 3 unreachable, 4 unauthorised, \
            5 unknown report or file, 6 refused (a period the service does not take, a report that exists already), 1 anything else \
            (no object store: 503, storage failed: 502, a file name or size the client will not accept).
              fleetctl reports create --last-week            # the weekly job: the last complete ISO week, UTC
              fleetctl reports create --week 2026-W05 --tag depot-a
              fleetctl reports create --from 2026-03-01 --to 2026-03-08T12:00:00Z
              fleetctl reports download <id> --out reports/
            """,
        subcommands: [Create.self, List.self, Show.self, Download.self]
    )

    /// A report's period `[fromMillis, toMillis)`, with the ISO week when it is one.
    struct Period: Sendable, Equatable {
        var fromMillis: Int64
        var toMillis: Int64
        var week: ISOWeek?

        init(fromMillis: Int64, toMillis: Int64) {
            self.fromMillis = fromMillis
            self.toMillis = toMillis
            week = ISOWeek(startMillis: fromMillis, endMillis: toMillis)
        }

        init(week: ISOWeek) {
            self.init(fromMillis: week.startMillis, toMillis: week.endMillis)
        }
    }

    /// Prints a report resource: its fields, then its files.
    static func printReport(_ report: [String: Any]) {
        var period = "\(TableOutput.cell(report["from"])) to \(TableOutput.cell(report["to"]))"
        if let from = (report["from_ms"] as? NSNumber)?.int64Value, let to = (report["to_ms"] as? NSNumber)?.int64Value,
            let week = ISOWeek(startMillis: from, endMillis: to)
        {
            period += " (\(week))"
        }
        HealthFormat.fields([
            ("report", TableOutput.cell(report["id"])),
            ("title", HealthFormat.cell(report["title"])),
            ("kind", TableOutput.cell(report["kind"])),
            ("period", period),
            ("tag", TableOutput.cell(report["tag"])),
            ("generated", TableOutput.cell(report["generated_at"])),
            ("vehicles", TableOutput.cell(report["vehicles"])),
            ("unavailable", TableOutput.cell(report["unavailable"])),
        ])
        emit("")
        TableOutput.print(
            ["FILE", "BYTES", "TYPE"],
            (report["files"] as? [[String: Any]] ?? []).map { file in
                [TableOutput.cell(file["name"]), TableOutput.cell(file["bytes"]), TableOutput.cell(file["content_type"])]
            })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a report for a period: --from and --to, --last-week, or --week (POST /v1/reports, admin).",
            discussion: """
                Weeks are ISO weeks in UTC: Monday 00:00 to the next Monday 00:00. --last-week is the last complete week before now \
                (run on a Monday, the week that just ended): what the weekly Kubernetes CronJob runs. --to is exclusive. A large \
                fleet can take a minute: the request waits up to 300 s unless --request-timeout says otherwise.
                """)
        @OptionGroup var tracking: TrackingAPIOptions
        @Option(help: "Start of the period: \(TimeArgument.forms).") var from: String?
        @Option(help: "End of the period, exclusive (the same forms as --from).") var to: String?
        @Flag(help: "The last complete ISO week before now (Monday 00:00 UTC to Monday 00:00 UTC).") var lastWeek = false
        @Option(help: "An ISO week, YYYY-Www (e.g. 2026-W05): Monday 00:00 UTC to the next Monday.") var week: String?
        @Option(help: "Only the vehicles with this tag.") var tag: String?
        @Option(help: "The report's title (1-200 characters; the service makes one from the period otherwise).") var title: String?

        func validate() throws {
            _ = try period(now: Date())
        }

        /// The period asked for; a usage error when none, more than one, or a malformed or empty one is given.
        func period(now: Date) throws -> Period {
            let given = [from != nil || to != nil, lastWeek, week != nil].filter { $0 }.count
            guard given > 0 else { throw ValidationError("give the period: --from and --to, --last-week, or --week YYYY-Www") }
            guard given == 1 else { throw ValidationError("give only one of --from/--to, --last-week and --week") }
            if lastWeek { return Period(week: ISOWeek.lastComplete(before: now)) }
            if let week { return Period(week: try ISOWeek.parse(week)) }
            guard let from, let to else { throw ValidationError("--from and --to go together: give both") }
            guard let start = TimeArgument.millis(from) else { throw ValidationError("--from must be \(TimeArgument.forms); got '\(from)'") }
            guard let end = TimeArgument.millis(to) else { throw ValidationError("--to must be \(TimeArgument.forms); got '\(to)'") }
            guard start < end else { throw ValidationError("--from must be before --to (the period is [from, to))") }
            return Period(fromMillis: start, toMillis: end)
        }

        func run() async throws {
            let requested = try period(now: Date())
            try await tracking.run {
                var body: [String: Any] = ["from": Int(requested.fromMillis), "to": Int(requested.toMillis)]
                if let tag { body["tag"] = tag }
                if let title { body["title"] = title }
                // A whole ISO week asked for as such is the weekly report: made once per week and tag (the service answers
                // 200 with the existing one when it was made already, so the CronJob may run again).
                if lastWeek || week != nil { body["kind"] = "weekly" }
                let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
                let reply = try await tracking.client(defaultTimeout: 300).post("/v1/reports", body: bytes)
                if tracking.isJSON { return emit(reply.text) }
                ReportsCommand.printReport(reply.object)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reports, newest first.")
        @OptionGroup var tracking: TrackingAPIOptions
        @Option(help: "How many (the service takes 1-500 and lists 50 by default).") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try await tracking.run {
                let reply = try await tracking.client().get("/v1/reports" + (limit.map { "?limit=\($0)" } ?? ""))
                if tracking.isJSON { return emit(reply.text) }
                TableOutput.print(
                    ["REPORT", "KIND", "FROM", "TO", "TAG", "VEHICLES", "GENERATED", "TITLE"],
                    (reply.object["reports"] as? [[String: Any]] ?? []).map { report in
                        ["id", "kind", "from", "to", "tag", "vehicles", "generated_at"].map { TableOutput.cell(report[$0]) }
                            + [HealthFormat.cell(report["title"])]
                    })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One report: its period, figures' coverage and files.")
        @OptionGroup var tracking: TrackingAPIOptions
        @Argument(help: "Report id.") var id: String

        func run() async throws {
            try await tracking.run {
                let reply = try await tracking.client().get("/v1/reports/\(id.urlComponent)")
                if tracking.isJSON { return emit(reply.text) }
                ReportsCommand.printReport(reply.object)
            }
        }
    }
}
