import FleetReports

/// A report as the API shows it (`GET /v1/reports/{id}`).
struct ReportResource: Sendable, Codable, Equatable {
    struct File: Sendable, Codable, Equatable {
        var name: String
        var bytes: Int
        var contentType: String
        /// API path of the file.
        var url: String

        enum CodingKeys: String, CodingKey {
            case name, bytes
            case contentType = "content_type"
            case url
        }
    }

    var id: String
    var title: String
    /// `weekly` or `on_demand`.
    var kind: String
    var tag: String?
    /// ISO 8601 bounds of the period `[from, to)`.
    var from: String
    var to: String
    var fromMillis: Int64
    var toMillis: Int64
    /// `generating` or `ready`.
    var status: String
    var generatedAt: String?
    var vehicles: Int?
    /// Sections without figures (a service not configured or not answering).
    var unavailable: [String]
    var files: [File]

    enum CodingKeys: String, CodingKey {
        case id, title, kind, tag, from, to
        case fromMillis = "from_ms"
        case toMillis = "to_ms"
        case status
        case generatedAt = "generated_at"
        case vehicles, unavailable, files
    }
}

/// What report generation needs from the database: vehicles and their tags, the samples of a day, the report index.
protocol ReportRepository: Sendable {
    /// Every registered vehicle with its tags (only those with `tag`, when given).
    func vehicleTags(tag: String?) async throws -> [String: [String]]
    /// The samples of one day's partition in `fromMillis..<toMillis`, grouped by vehicle and in device-time order.
    func streamSamples(_ day: ArchiveDay, fromMillis: Int64, toMillis: Int64, _ body: (ActivitySample) async throws -> Void) async throws
    /// Claims a report id (status `generating`); false when a weekly report of that week and tag exists already.
    func claimReport(id: String, kind: String, title: String, tag: String?, period: ReportPeriod) async throws -> Bool
    /// Marks the report ready with its files and enqueues its `report_ready` event, in one transaction.
    func completeReport(id: String, vehicles: Int, unavailable: [String], files: [ReportResource.File], event: OutboxEventDraft) async throws
    /// Forgets a claim whose generation failed.
    func abandonReport(id: String) async throws
    func reports(limit: Int) async throws -> [ReportResource]
    /// The weekly report of the week starting at `fromMillis` for `tag` (nil: fleet-wide), in any status.
    func weeklyReport(fromMillis: Int64, tag: String?) async throws -> ReportResource?
    func report(id: String) async throws -> ReportResource?
}

/// The fleet event announcing a report, made by the generator and written by the repository in the completing
/// transaction.
struct OutboxEventDraft: Sendable {
    var attributes: [String: String]
}
