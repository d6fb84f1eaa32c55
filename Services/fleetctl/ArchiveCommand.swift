import ArgumentParser
import Foundation

/// `fleetctl archive list|run|restore`: fleet-tracking's cold archive of telemetry days.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "The cold archive of telemetry days: list it, archive a day now, restore one into the hot store (fleet-tracking API).",
        discussion: """
            fleet-tracking is found with --tracking-url, FLEET_TRACKING_URL, the fleetctl login profile (fleetctl login --tracking URL), \
            or http://127.0.0.1:8081. Listing needs fleet:read, archiving and restoring admin. Exit status: 3 unreachable, \
            4 unauthorised, 5 no such partition or archive, 6 refused (a bad day, --drop within the retention, another replica \
            busy with the day), 1 anything else (no archive configured: 503, object storage failed: 502).
              fleetctl archive list --from 2026-01-01
              fleetctl archive run --day 2026-01-10 --drop
              fleetctl archive restore --day 2026-01-10
            """,
        subcommands: [List.self, Run.self, Restore.self]
    )

    /// The columns of `archive list`.
    static let dayHeaders = ["DAY", "STATE", "HOT", "ROWS", "MB", "PARTS", "ARCHIVED", "DROPPED", "RESTORED", "RESTORED UNTIL", "LAST ERROR"]

    /// One ledger entry of `GET /v1/archive/days` as a table row.
    static func dayRow(_ day: [String: Any]) -> [String] {
        [
            TableOutput.cell(day["day"]), TableOutput.cell(day["state"]), day["hot"] as? Bool == true ? "yes" : "no",
            TableOutput.cell(day["rows"]), megabytes(day["bytes"]), TableOutput.cell(day["parts"]), TableOutput.cell(day["archived_at"]),
            TableOutput.cell(day["dropped_at"]), TableOutput.cell(day["restored_at"]), TableOutput.cell(day["restored_until"]),
            HealthFormat.cell(day["last_error"]),
        ]
    }

    /// A byte count in decimal megabytes with two decimals (`12.35`), `-` when absent.
    static func megabytes(_ value: Any?) -> String {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return "-" }
        return String(format: "%.2f", number.doubleValue / 1_000_000)
    }

    /// `--day`, `--from`, `--to`: a real calendar date `YYYY-MM-DD`.
    static func checkDay(_ text: String, option: String) throws -> UTCDay {
        guard let day = UTCDay(iso: text) else { throw ValidationError("\(option) must be a date YYYY-MM-DD, got '\(text)'") }
        return day
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The archive's ledger: each day's state, whether its partition is in the hot store, size and times.")
        @OptionGroup var tracking: TrackingAPIOptions
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day (inclusive), YYYY-MM-DD.") var to: String?

        func validate() throws {
            let first = try from.map { try ArchiveCommand.checkDay($0, option: "--from") }
            let last = try to.map { try ArchiveCommand.checkDay($0, option: "--to") }
            if let first, let last, first > last { throw ValidationError("--from must not be after --to") }
        }

        func run() async throws {
            try await tracking.run {
                var query: [String] = []
                if let from { query.append("from=\(from.urlComponent)") }
                if let to { query.append("to=\(to.urlComponent)") }
                let reply = try await tracking.client().get("/v1/archive/days" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
                if tracking.isJSON { return emit(reply.text) }
                let ledger = reply.object
                TableOutput.print(ArchiveCommand.dayHeaders, (ledger["days"] as? [[String: Any]] ?? []).map(ArchiveCommand.dayRow))
                // On stderr, as paging hints are: the table stays a table.
                if ledger["enabled"] as? Bool == false {
                    FileHandle.standardError.write(
                        Data("note: archiving is disabled: fleet-tracking has no object store (FLEET_ARCHIVE_S3_ENDPOINT)\n".utf8))
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Archive one day now (again, if its partition changed); with --drop also drop its partition once the archive is verified.",
            discussion: "Only a day past the hot retention may be dropped (409 otherwise: exit 6). Waits up to 600 s unless --request-timeout says otherwise.")
        @OptionGroup var tracking: TrackingAPIOptions
        @Option(help: "The day, YYYY-MM-DD (UTC).") var day: String
        @Flag(help: "Drop the day's partition from the hot store after archiving it.") var drop = false

        func validate() throws {
            _ = try ArchiveCommand.checkDay(day, option: "--day")
        }

        func run() async throws {
            try await tracking.run {
                let reply = try await tracking.client(defaultTimeout: 600).post(
                    "/v1/archive/days/\(day.urlComponent)" + (drop ? "?drop=true" : ""), body: Array("{}".utf8))
                if tracking.isJSON { return emit(reply.text) }
                let outcome = reply.object
                HealthFormat.fields([
                    ("day", TableOutput.cell(outcome["day"])),
                    ("result", TableOutput.cell(outcome["result"])),
                    ("rows", TableOutput.cell(outcome["rows"])),
                    ("bytes", "\(TableOutput.cell(outcome["bytes"])) (\(ArchiveCommand.megabytes(outcome["bytes"])) MB)"),
                    ("parts", TableOutput.cell(outcome["parts"])),
                    ("seconds", HealthFormat.number(outcome["seconds"], digits: 2)),
                    ("dropped", outcome["dropped"] as? Bool == true ? "yes" : "no"),
                ])
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy an archived day back into the hot store (until the retention sweeps it again).",
            discussion: "404 (exit 5) when the day has no archive. Waits up to 600 s unless --request-timeout says otherwise.")
        @OptionGroup var tracking: TrackingAPIOptions
        @Option(help: "The day, YYYY-MM-DD (UTC).") var day: String

        func validate() throws {
            _ = try ArchiveCommand.checkDay(day, option: "--day")
        }

        func run() async throws {
            try await tracking.run {
                let reply = try await tracking.client(defaultTimeout: 600).post("/v1/archive/days/\(day.urlComponent)/restore", body: Array("{}".utf8))
                if tracking.isJSON { return emit(reply.text) }
                let restored = reply.object
                HealthFormat.fields([
                    ("day", TableOutput.cell(restored["day"])),
                    ("rows", TableOutput.cell(restored["rows"])),
                    ("inserted", TableOutput.cell(restored["inserted"])),
                    ("restored until", TableOutput.cell(restored["restored_until"])),
                ])
            }
        }
    }
}
