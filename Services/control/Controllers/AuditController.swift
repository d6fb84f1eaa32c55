import Hummingbird

/// `GET /v1/audit?action=&actor=&before=&limit=` (admin): the audit log, newest first.
struct AuditController<Audit: AuditRepository> {
    typealias Context = ControlRequestContext

    let audit: Audit

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("audit", use: list)
    }

    struct Page: Encodable {
        var entries: [AuditEntry]
        var nextBefore: Int64?
        enum CodingKeys: String, CodingKey {
            case entries
            case nextBefore = "next_before"
        }
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let query = request.uri.queryParameters
        let limit = try RequestQuery.limit(request, default: 100, max: 1_000)
        var before: Int64?
        if let raw = query.get("before") {
            guard let value = Int64(raw), value > 0 else { throw HTTPError(.badRequest, message: "before must be a positive audit entry id") }
            before = value
        }
        let entries = try await audit.list(
            action: query.get("action").map { String($0) }, actorTokenID: query.get("actor").map { String($0) }, before: before, limit: limit
        )
        return try ControlJSON.response(.ok, Page(entries: entries, nextBefore: entries.count == limit ? entries.last?.id : nil))
    }
}
