import Foundation
import Logging
import PostgresNIO

/// A transactional outbox in a service's own schema: what a committed transaction decided is written to
/// `<schema>.event_outbox` in that same transaction, and ``OutboxRelay`` publishes it at least once.
///
/// The table comes from the service's migrations (see `docs/adding-a-service.md`):
/// ```sql
/// CREATE TABLE event_outbox (
///     seq bigserial PRIMARY KEY, event_id text NOT NULL, topic text NOT NULL, payload bytea NOT NULL,
///     created_at timestamptz NOT NULL DEFAULT now(), attempts integer NOT NULL DEFAULT 0,
///     claimed_by text, claimed_until timestamptz);
/// ```
public struct EventOutbox: Sendable {
    /// The schema that holds `event_outbox`.
    public let schema: String
    let logger: Logger

    /// Creates the outbox of `schema` (a name ``MigrationRunner/isValidSchemaName(_:)`` accepts).
    public init(schema: String, logger: Logger) {
        precondition(MigrationRunner.isValidSchemaName(schema), "invalid schema name \(schema)")
        self.schema = schema
        self.logger = logger
    }

    /// Adds `messages` inside the caller's transaction, in order; they become visible to the relay when it commits.
    public func enqueue(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws {
        guard !messages.isEmpty else { return }
        try await connection.query(insert(messages), logger: logger)
    }

    /// Adds `messages` in a transaction of their own.
    public func enqueue(_ messages: [OutboxMessage], client: PostgresClient) async throws {
        guard !messages.isEmpty else { return }
        try await client.query(insert(messages), logger: logger)
    }

    private func insert(_ messages: [OutboxMessage]) -> PostgresQuery {
        let ids = messages.map(\.id)
        let topics = messages.map(\.topic)
        // bytea[] is not bound directly; base64 text is decoded by PostgreSQL.
        let payloads = messages.map { Data($0.payload).base64EncodedString() }
        return """
            INSERT INTO \(unescaped: schema).event_outbox (event_id, topic, payload)
            SELECT i, t, decode(p, 'base64')
            FROM unnest(\(ids)::text[], \(topics)::text[], \(payloads)::text[]) WITH ORDINALITY AS m(i, t, p, n)
            ORDER BY n
            """
    }

    // MARK: Relay side

    /// A message claimed for publishing.
    struct Claimed: Sendable {
        var seq: Int64
        var message: OutboxMessage
    }

    /// Claims up to `limit` messages no one holds (or whose claim expired) for `lease`, oldest first.
    func claim(limit: Int, owner: String, lease: Duration, client: PostgresClient) async throws -> [Claimed] {
        let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).event_outbox o
            SET claimed_by = \(owner), claimed_until = now() + make_interval(secs => \(leaseSeconds)), attempts = o.attempts + 1
            FROM (
              SELECT seq FROM \(unescaped: schema).event_outbox
              WHERE claimed_until IS NULL OR claimed_until < now()
              ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ) c
            WHERE o.seq = c.seq
            RETURNING o.seq, o.event_id, o.topic, encode(o.payload, 'base64')
            """, logger: logger)
        var claimed: [Claimed] = []
        for try await (seq, id, topic, payload) in rows.decode((Int64, String, String, String).self) {
            let bytes = Data(base64Encoded: payload, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
            claimed.append(Claimed(seq: seq, message: OutboxMessage(id: id, topic: topic, payload: bytes)))
        }
        return claimed.sorted { $0.seq < $1.seq }
    }

    /// Removes published messages.
    func remove(_ seqs: [Int64], client: PostgresClient) async throws {
        guard !seqs.isEmpty else { return }
        try await client.query("DELETE FROM \(unescaped: schema).event_outbox WHERE seq = ANY(\(seqs)::int8[])", logger: logger)
    }

    /// Lets failed messages be claimed again after `delay`.
    func release(_ seqs: [Int64], after delay: Duration, client: PostgresClient) async throws {
        guard !seqs.isEmpty else { return }
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        try await client.query(
            """
            UPDATE \(unescaped: schema).event_outbox SET claimed_until = now() + make_interval(secs => \(seconds))
            WHERE seq = ANY(\(seqs)::int8[])
            """, logger: logger)
    }

    /// Releases every claim `owner` holds: after a restart the same replica publishes them at once instead of waiting
    /// for their lease to run out.
    func releaseClaims(of owner: String, client: PostgresClient) async throws {
        try await client.query(
            "UPDATE \(unescaped: schema).event_outbox SET claimed_until = NULL WHERE claimed_by = \(owner) AND claimed_until IS NOT NULL",
            logger: logger)
    }

    /// Messages waiting, and the age of the oldest in seconds.
    func backlog(client: PostgresClient) async throws -> (count: Int, oldestSeconds: Double) {
        let rows = try await client.query(
            """
            SELECT count(*)::int8, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM \(unescaped: schema).event_outbox
            """, logger: logger)
        for try await (count, oldest) in rows.decode((Int64, Double).self) {
            return (Int(count), oldest)
        }
        return (0, 0)
    }
}
