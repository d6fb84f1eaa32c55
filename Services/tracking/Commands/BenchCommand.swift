import ArgumentParser
import AsyncHTTPClient
import FleetCore
import FleetObjectStore
import FleetReports
import Foundation
import Logging
import PostgresNIO

/// `fleet-tracking bench archive|report`: the cold archive's and the reports' throughput, on generated history in a
/// scratch schema (dropped afterwards) and a scratch prefix of the configured bucket (emptied afterwards).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of the cold archive and the fleet reports (prints figures).",
        subcommands: [ArchiveBench.self, ReportBench.self])

    /// A scratch schema name.
    static func scratchSchema() -> String {
        "tracking_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    }

    /// Runs `body` with an object store on the configured bucket (FLEET_ARCHIVE_S3_*) and an archiver over `repository`
    /// under a scratch prefix, which is emptied afterwards.
    static func withArchiver<Result: Sendable>(
        _ repository: PostgresTrackingRepository, _ configuration: TrackingConfiguration, _ logger: Logger,
        _ body: (TelemetryArchiver<PostgresTrackingRepository>, S3ObjectStore, HTTPClient) async throws -> Result
    ) async throws -> Result {
        guard let storeConfiguration = configuration.archive.store else {
            throw ValidationError("set FLEET_ARCHIVE_S3_ENDPOINT, _BUCKET and credentials (scripts/bench-archive.sh does it for the local stack)")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let store = try S3ObjectStore(configuration: storeConfiguration, httpClient: http, logger: logger)
            if configuration.archive.createBucket { try await store.createBucketIfMissing() }
            var archive = configuration.archive
            archive.prefix = "bench/\(configuration.schema)"
            let archiver = TelemetryArchiver(
                repository: repository, store: store, configuration: archive, owner: "bench", metrics: ArchiveMetrics(),
                manifests: ManifestCache(), logger: logger)
            let result = try await body(archiver, store, http)
            for object in try await store.list(prefix: archive.prefix + "/") { try await store.delete(object.key) }
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// `fleet-tracking bench archive`.
struct ArchiveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive one generated day (upload + verification + drop), read vehicles back from it, restore it.",
        discussion: """
            Environment: FLEET_POSTGRES_*, FLEET_ARCHIVE_S3_* (FLEET_ARCHIVE_VERIFY_DOWNLOAD, FLEET_ARCHIVE_PART_ROWS apply).
            Prints rows/s of the archive (streaming the partition, gzip, upload, download again and check, drop), compressed
            bytes per row against the partition's size in PostgreSQL, archived-history read latency per vehicle, and restore
            rows/s.
            """)

    @Option(help: "Vehicles in the day.") var vehicles = 500
    @Option(help: "Seconds between samples on shift.") var interval = 30
    @Option(help: "Vehicles read back from the archive.") var reads = 20

    func run() async throws {
        let day = ArchiveDay(containing: TimestampPolicy.millis(from: .now) - 60 * ArchiveDay.millisPerDay)
        let generator = HistoryGenerator(vehicles: vehicles, days: 1, startMillis: day.startMillis, activeIntervalSeconds: interval, idPrefix: "ab")
        try await OfflineDatabase.with(schema: BenchCommand.scratchSchema(), dropAfterwards: true) { repository, configuration, logger in
            let clock = ContinuousClock()
            var began = clock.now
            let rows = try await OfflineDatabase.write(generator, into: repository)
            let generated = (clock.now - began).seconds
            var tableBytes: Int64 = 0
            for try await size in try await repository.client.query(
                PostgresQuery(unsafeSQL: "SELECT pg_total_relation_size('\(configuration.schema).\(day.partition)')::int8"), logger: logger
            ).decode(Int64.self) { tableBytes = size }
            print("bench archive: \(rows) rows of \(vehicles) vehicles on \(day) generated and written in \(String(format: "%.1f", generated)) s; partition \(tableBytes / 1_048_576) MiB (\(tableBytes / Int64(max(rows, 1))) bytes/row with its index)")
            try await BenchCommand.withArchiver(repository, configuration, logger) { archiver, _, _ in
                began = clock.now
                let outcome = try await archiver.archive(day, drop: true)
                let archiveSeconds = (clock.now - began).seconds
                guard outcome.dropped else { throw ValidationError("the day was not dropped: \(outcome.result)") }
                print(
                    String(
                        format: "  archive (stream, gzip, upload, download and verify, drop): %.2f s, %.0f rows/s, %d parts, %.1f MiB, %.1f bytes/row (%.1f%% of the partition)",
                        archiveSeconds, Double(rows) / archiveSeconds, outcome.parts, Double(outcome.bytes) / 1_048_576,
                        Double(outcome.bytes) / Double(max(rows, 1)), 100 * Double(outcome.bytes) / Double(max(tableBytes, 1))))
                var latencies: [Double] = []
                var samples = 0
                for index in stride(from: 0, to: vehicles, by: max(1, vehicles / max(reads, 1))).prefix(reads) {
                    began = clock.now
                    samples += try await archiver.positions(
                        vehicleID: generator.vehicleID(index), days: [day], fromMillis: day.startMillis, toMillis: day.endMillis
                    ).count
                    latencies.append((clock.now - began).seconds * 1000)
                }
                print(
                    String(
                        format: "  read one vehicle's archived day (ranged GET, inflate, decode): p50 %.1f ms, p90 %.1f ms, max %.1f ms over %d vehicles (%d samples)",
                        BenchCommand.percentile(latencies, 0.5), BenchCommand.percentile(latencies, 0.9), latencies.max() ?? 0, latencies.count,
                        samples))
                began = clock.now
                let restored = try await archiver.restore(day)
                let restoreSeconds = (clock.now - began).seconds
                print(
                    String(
                        format: "  restore (download, verify, insert): %.2f s, %.0f rows/s, %d rows inserted", restoreSeconds,
                        Double(restored.rows) / restoreSeconds, restored.inserted))
            }
        }
    }
}

/// `fleet-tracking bench report`.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Generate a week of history for a fleet and time its report (activity, figures, CSV, HTML, upload).",
        discussion: """
            Environment: FLEET_POSTGRES_*, FLEET_ARCHIVE_S3_*, and FLEET_REPORTS_* for the other services' sections (without
            them those sections say "not configured"). The week is the last complete ISO week.
            """)

    @Option(help: "Vehicles.") var vehicles = 1_000
    @Option(help: "Days.") var days = 7
    @Option(help: "Seconds between samples on shift.") var interval = 30

    func run() async throws {
        let week = ReportSchedule.lastCompleteWeek(before: TimestampPolicy.millis(from: .now))
        let period = ReportPeriod(fromMillis: week.fromMillis, toMillis: week.fromMillis + Int64(days) * ArchiveDay.millisPerDay)
        let generator = HistoryGenerator(vehicles: vehicles, days: days, startMillis: period.fromMillis, activeIntervalSeconds: interval, idPrefix: "rb")
        try await OfflineDatabase.with(schema: BenchCommand.scratchSchema(), dropAfterwards: true) { repository, configuration, logger in
            let clock = ContinuousClock()
            var began = clock.now
            let rows = try await OfflineDatabase.write(generator, into: repository)
            print("bench report: \(rows) rows of \(vehicles) vehicles over \(days) days written in \(String(format: "%.1f", (clock.now - began).seconds)) s")
            try await repository.client.query(PostgresQuery(unsafeSQL: "ANALYZE \(configuration.schema).telemetry"), logger: logger)
            try await BenchCommand.withArchiver(repository, configuration, logger) { archiver, _, http in
                let reports = ReportGenerator(
                    repository: repository, archiver: archiver, configuration: configuration.reports,
                    movingThreshold: configuration.movingThresholdMetersPerSecond, httpClient: http, metrics: ReportMetrics(), logger: logger)
                began = clock.now
                let activity = try await reports.activity(period: period, tag: nil)
                let activitySeconds = (clock.now - began).seconds
                began = clock.now
                guard let report = try await reports.generate(.init(period: period, tag: nil, title: nil, kind: "on_demand")) else {
                    throw ValidationError("no report made")
                }
                let total = (clock.now - began).seconds
                let bytes = report.files.reduce(0) { $0 + $1.bytes }
                print(
                    String(
                        format: "  activity alone (stream %d rows, accumulate): %.2f s, %.0f rows/s", rows, activitySeconds,
                        Double(rows) / activitySeconds))
                print(
                    String(
                        format: "  whole report for %d vehicles (activity, other services, figures, CSV, HTML, upload, index, event): %.2f s; %d files, %.1f KiB; unavailable: %@",
                        activity.vehicles.count, total, report.files.count, Double(bytes) / 1024,
                        report.unavailable.isEmpty ? "none" : report.unavailable.joined(separator: ",")))
            }
        }
    }
}
