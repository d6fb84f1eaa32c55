import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/audit?action=&actor=&before=&limit=` (admin): a service's audit log, newest first.
public struct AuditController<Audit: AuditRepository, Context: AuthenticatedRequestContext>: Sendable {
    let audit: Audit

    public init(audit: Audit) {
        self.audit = audit
    }

    public func addRoutes(to group: RouterGroup<Context>) {
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
        return try JSONResponse.response(.ok, Page(entries: entries, nextBefore: entries.count == limit ? entries.last?.id : nil))
    }
}

extension AuthenticatedRequestContext {
    /// An audit entry attributed to the caller, from the address ``BearerAuthMiddleware`` resolved.
    public func audit(_ action: String, target: String?, outcome: String = "ok", details: String? = nil) -> AuditEntry {
        AuditEntry(
            actorTokenID: identity?.tokenID, actorName: identity?.name, action: action, target: target, outcome: outcome, details: details,
            remoteAddress: clientAddress)
    }
}
