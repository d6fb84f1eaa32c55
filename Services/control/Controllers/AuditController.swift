import FleetService
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
        let limit = try request.limit(default: 100, max: 1_000)
        let before = try request.integer("before", range: 1...Int.max).map(Int64.init)
        let entries = try await audit.list(action: request.query("action"), actorTokenID: request.query("actor"), before: before, limit: limit)
        return try ControlJSON.response(.ok, Page(entries: entries, nextBefore: entries.count == limit ? entries.last?.id : nil))
    }
}
