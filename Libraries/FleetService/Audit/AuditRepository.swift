/// A service's audit log.
public protocol AuditRepository: Sendable {
    /// Writes one entry on its own.
    func record(_ entry: AuditEntry) async throws
    /// Entries newest first, optionally filtered by action and actor, with ids below `before` (paging).
    func list(action: String?, actorTokenID: String?, before: Int64?, limit: Int) async throws -> [AuditEntry]
}
