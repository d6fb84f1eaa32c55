import AsyncHTTPClient
import CoreMetrics
import FleetCore
import FleetObjectStore
import FleetReports
import FleetService
import Foundation
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Makes fleet reports: reads the period's telemetry (hot partitions, and archived days from object storage), asks the
/// other services for their records, computes the report (FleetReports), writes CSV, HTML and JSON files to object
/// storage, then records the report and its `report_ready` event in one transaction (fleet-alerting turns the event into
/// `report.ready` webhooks).
struct ReportGenerator<Repository: ReportRepository & ArchiveRepository>: Sendable {
    let repository: Repository
    let archiver: TelemetryArchiver<Repository>
    let configuration: ReportConfiguration
    /// Speed at or above which a vehicle counts as moving (tracking's own threshold).
    let movingThreshold: Double
    let httpClient: HTTPClient
    let metrics: ReportMetrics
    let logger: Logger

    /// What to report on.
    struct Request: Sendable {
        var period: ReportPeriod
        var tag: String?
        var title: String?
        /// `weekly` or `on_demand`.
        var kind: String
    }

    var store: any ObjectStore { archiver.store }

    func prefix(of id: String) -> String { "\(archiver.configuration.prefix)/reports/\(id)" }

    /// Generates the report; nil when it is a weekly report that already exists (another replica made it).
    func generate(_ request: Request) async throws -> ReportResource? {
        let started = ContinuousClock.now
        let id = Self.makeID(period: request.period)
        let title = request.title ?? Self.defaultTitle(request)
        guard try await repository.claimReport(id: id, kind: request.kind, title: title, tag: request.tag, period: request.period) else {
            metrics.runs.increment(request.kind, "exists")
            return nil
        }
        do {
            let resource = try await build(id: id, title: title, request: request)
            metrics.runs.increment(request.kind, "ready")
            metrics.duration.recordSeconds((ContinuousClock.now - started).seconds)
            logger.info(
                "Fleet report ready",
                metadata: ["report.id": "\(id)", "vehicles": "\(resource.vehicles ?? 0)", "unavailable": "\(resource.unavailable)"])
            return resource
        } catch {
            metrics.runs.increment(request.kind, "failed")
            try? await repository.abandonReport(id: id)
            logger.error("Fleet report failed", metadata: ["report.id": "\(id)", "error": "\(error)"])
            throw error
        }
    }

    private func build(id: String, title: String, request: Request) async throws -> ReportResource {
        let period = request.period
        async let alerts = fetch("fleet-alerting", configuration.alertingURL, period: period)
        async let commands = fetch("fleet-control", configuration.controlURL, period: period)
        async let health = fetch("fleet-health", configuration.healthURL, period: period)
        async let routes = fetch("fleet-routing", configuration.routingURL, period: period)
        let (vehicles, daily) = try await activity(period: period, tag: request.tag)
        let input = ReportInput(
            title: title, period: period, tag: request.tag, generatedMillis: TimestampPolicy.millis(from: .now), vehicles: vehicles,
            daily: daily, alerts: Self.section(await alerts, \.alerts), commands: Self.section(await commands, \.commands),
            incidents: Self.section(await health, \.incidents), health: Self.section(await health, \.health),
            routes: Self.section(await routes, \.routes))
        let report = FleetReport(input: input)
        var outputs = ReportCSV.files(for: report).map { (name: $0.name, bytes: Array($0.contents.utf8), type: "text/csv; charset=utf-8") }
        outputs.append((name: "report.html", bytes: Array(ReportHTML.render(report).utf8), type: "text/html; charset=utf-8"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        outputs.append((name: "report.json", bytes: Array(try encoder.encode(report)), type: "application/json"))
        var files: [ReportResource.File] = []
        for output in outputs {
            let key = "\(prefix(of: id))/\(output.name)"
            try await store.put(key, body: output.bytes, contentType: output.type)
            guard let stored = try await store.head(key), stored.size == output.bytes.count else {
                throw ArchiveError.verification("\(key) was not stored whole")
            }
            files.append(
                ReportResource.File(name: output.name, bytes: output.bytes.count, contentType: output.type, url: "/v1/reports/\(id)/files/\(output.name)"))
        }
        let unavailable = report.unavailableSections.map { $0.name.lowercased() }
        var attributes = [
            "report_id": id, "title": title, "kind": request.kind, "from_ms": "\(period.fromMillis)", "to_ms": "\(period.toMillis)",
            "html": "/v1/reports/\(id)/files/report.html", "files": files.map(\.name).joined(separator: ","),
            "vehicles": "\(vehicles.count)", "unavailable": unavailable.joined(separator: ","),
        ]
        if let tag = request.tag { attributes["tag"] = tag }
        try await repository.completeReport(
            id: id, vehicles: vehicles.count, unavailable: unavailable, files: files, event: OutboxEventDraft(attributes: attributes))
        guard let resource = try await repository.report(id: id) else { throw ArchiveError.verification("report \(id) vanished") }
        return resource
    }

    /// Every vehicle's activity and the daily figures of the period, day by day: hot partitions from the database,
    /// dropped days from the archive.
    func activity(period: ReportPeriod, tag: String?) async throws -> (vehicles: [VehicleActivity], daily: [DailyActivity]) {
        let tags = try await repository.vehicleTags(tag: tag)
        var accumulator = ActivityAccumulator(
            movingThresholdMetersPerSecond: movingThreshold, offlineGapMillis: Int64(configuration.offlineGapSeconds) * 1000,
            minStopMillis: Int64(configuration.minStopSeconds) * 1000)
        let ledger = Dictionary(
            try await repository.archiveDays(from: ArchiveDay(containing: period.fromMillis), to: ArchiveDay(containing: period.toMillis - 1))
                .map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        for day in ArchiveDay.days(overlapping: period.fromMillis, period.toMillis - 1) {
            if try await repository.partitionExists(day) {
                try await repository.streamSamples(day, fromMillis: period.fromMillis, toMillis: period.toMillis) { sample in
                    if tags[sample.vehicleID] != nil { accumulator.add(sample) }
                }
            } else if ledger[day.iso]?.state == .dropped {
                try await archiver.forEachArchivedRow(day) { row in
                    let millis = TelemetryArchiver<Repository>.millis(micros: row.deviceTimeMicros)
                    guard tags[row.vehicleID] != nil, millis >= period.fromMillis, millis < period.toMillis else { return }
                    accumulator.add(
                        ActivitySample(
                            vehicleID: row.vehicleID, timeMillis: millis, speedMetersPerSecond: Double(row.speedMps),
                            odometerMeters: row.odometerM, batteryPct: row.batteryPct.map(Double.init), fuelPct: row.fuelPct.map(Double.init),
                            status: row.status))
                }
            }
        }
        return accumulator.finish(tags: tags)
    }

    /// A service's records for the period, or why there are none.
    private func fetch(_ service: String, _ baseURL: String?, period: ReportPeriod) async -> Result<ReportData, ReportFetchFailure> {
        guard let baseURL else { return .failure(ReportFetchFailure(reason: .notConfigured(service))) }
        var request = HTTPClientRequest(
            url: "\(baseURL)/v1/report-data?from=\(period.fromMillis)&to=\(period.toMillis)&limit=\(configuration.recordLimit)")
        if let token = configuration.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(60), logger: logger)
            let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            guard response.status == .ok else {
                let text = String(buffer: body).prefix(200)
                return .failure(ReportFetchFailure(reason: .requestFailed(service, message: "HTTP \(response.status.code): \(text)")))
            }
            return .success(try JSONDecoder().decode(ReportData.self, from: Data(buffer: body)))
        } catch {
            return .failure(ReportFetchFailure(reason: .requestFailed(service, message: "\(error)")))
        }
    }

    private static func section<Record>(_ result: Result<ReportData, ReportFetchFailure>, _ records: KeyPath<ReportData, [Record]>)
        -> ReportSection<Record>
    {
        switch result {
        case .success(let data): ReportSection(data, records)
        case .failure(let failure): ReportSection(unavailable: failure.reason)
        }
    }

    /// `rpt-YYYYMMDD-<8 hex>`: sortable by period start, unique.
    static func makeID(period: ReportPeriod) -> String {
        let day = ArchiveDay(containing: period.fromMillis).iso.replacingOccurrences(of: "-", with: "")
        let random = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "rpt-\(day)-\(random)"
    }

    static func defaultTitle(_ request: Request) -> String {
        let from = ArchiveDay(containing: request.period.fromMillis).iso
        let to = ArchiveDay(containing: request.period.toMillis - 1).iso
        let scope = request.tag.map { "tag \($0)" } ?? "whole fleet"
        let kind = request.kind == "weekly" ? "Weekly fleet report" : "Fleet report"
        return "\(kind) \(from) to \(to) (\(scope))"
    }
}

/// Why a service's section is missing.
struct ReportFetchFailure: Error {
    var reason: ReportUnavailable
}

/// Report metrics, made once.
struct ReportMetrics: Sendable {
    /// `fleet_tracking_reports_total{kind,result}`: ready, exists (weekly already made), failed.
    let runs = CounterFamily("fleet_tracking_reports_total", labels: "kind", "result")
    /// Time to make one report.
    let duration = Metrics.Timer(label: "fleet_tracking_report_duration_seconds", preferredDisplayUnit: .seconds)
}
