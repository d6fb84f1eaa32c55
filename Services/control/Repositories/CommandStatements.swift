import FleetCore
import FleetService
import Foundation
import PostgresNIO

/// fleet-control's most frequent statements, prepared once per connection: PostgreSQL parses and plans
/// them once instead of on every call (at 100 commands/s, parsing and planning were most of the database's work).
///
/// Their SQL is fixed, so table names are unqualified: the client's search path is the service's schema
/// (``ControlComponents``). Multi-row variants of the single-row statements stay ad hoc, planned for their actual size.
enum CommandStatements {
    /// One command and its transitions in order (`GET /v1/commands/{id}`, long-polls). Rows as
    /// ``PostgresCommandRepository/records(from:)`` reads them.
    struct CommandByID: PostgresPreparedStatement {
        static let sql = """
            SELECT c.id, c.vehicle_id, c.action, c.speed_limit_mps, c.route::text, c.reason, c.status, c.status_reason, c.created_at,
                   c.updated_at, c.expires_at, c.attempts, c.batch_id, c.created_by, t.status, t.at, t.reason
            FROM commands c LEFT JOIN command_transitions t ON t.command_id = c.id
            WHERE c.id = $1
            ORDER BY t.id
            """
        typealias Row = PostgresRow

        var id: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// One lifecycle transition, with the same rules and outcome as the batched form of
    /// ``PostgresCommandRepository/transition(_:)``: the command's creation time if it was applied, and whether the
    /// command exists (for that vehicle) at all.
    struct ApplyTransition: PostgresPreparedStatement {
        static let sql = """
            WITH updated AS (
                UPDATE commands SET status = $3, status_reason = nullif($4, ''), updated_at = now()
                WHERE id = $1 AND status = ANY($5) AND ($2 = '' OR vehicle_id = $2)
                RETURNING id, created_at, status, status_reason
            ), logged AS (
                INSERT INTO command_transitions (command_id, status, reason) SELECT id, status, status_reason FROM updated
            )
            SELECT (SELECT created_at FROM updated), EXISTS (SELECT 1 FROM commands WHERE id = $1 AND ($2 = '' OR vehicle_id = $2))
            """
        typealias Row = (Date?, Bool)

        var request: TransitionRequest

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(request.commandID)
            bindings.append(request.vehicleID ?? "")
            bindings.append(request.status.rawValue)
            bindings.append(request.reason ?? "")
            bindings.append(request.status.allowedPredecessors.map(\.rawValue))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Stores new commands in one statement, so in one round trip and atomically without an explicit transaction: the
    /// idempotency claim gates the commands, their first transitions, the desired-state change and the audit entry.
    /// Returns whether the commands were stored (`false`: the idempotency key was used before).
    ///
    /// Prepared like the single-row statements although it takes arrays: one request's commands, however many, are
    /// always one statement of this shape, and parsing and planning it was its largest cost.
    struct CreateCommands: PostgresPreparedStatement {
        static let sql = """
            WITH claim AS (
                INSERT INTO idempotency_keys (token_id, key, fingerprint, status_code, response)
                SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text
                WHERE $6::boolean
                ON CONFLICT DO NOTHING RETURNING 1
            ), proceed AS (
                SELECT NOT $6::boolean OR EXISTS (SELECT 1 FROM claim) AS ok
            ), created AS (
                INSERT INTO commands
                    (id, vehicle_id, action, speed_limit_mps, route, reason, status, created_at, updated_at, expires_at, attempts,
                     next_attempt_at, batch_id, created_by)
                SELECT c.id, c.vehicle_id, $7::text, $8::double precision, $28::text::jsonb, $9::text, 'pending', $10::timestamptz,
                       $10::timestamptz, $11::timestamptz, 1, $12::timestamptz, $13::text, $14::text
                FROM unnest($15::text[], $16::text[]) AS c (id, vehicle_id)
                WHERE (SELECT ok FROM proceed)
                RETURNING id
            ), logged AS (
                INSERT INTO command_transitions (command_id, status, at)
                SELECT id, 'pending', $10::timestamptz FROM created
            ), desired AS (
                -- Rows taken in vehicle order, as markDesiredPublished locks them, so the two never deadlock.
                INSERT INTO desired_states AS d (vehicle_id, revision, paused, speed_limit_mps, reason, updated_at)
                SELECT v, 1, coalesce($17::boolean, false), $18::double precision, $9::text, $10::timestamptz
                FROM unnest($16::text[]) AS v
                WHERE $19::boolean AND (SELECT ok FROM proceed)
                ORDER BY v COLLATE "C"
                ON CONFLICT (vehicle_id) DO UPDATE SET
                    revision = d.revision + 1,
                    paused = coalesce($17::boolean, d.paused),
                    speed_limit_mps = CASE WHEN $20::boolean THEN EXCLUDED.speed_limit_mps ELSE d.speed_limit_mps END,
                    reason = EXCLUDED.reason,
                    updated_at = EXCLUDED.updated_at
            ), audited AS (
                INSERT INTO audit_log (\(AuditSQL.columns))
                SELECT $21::text, $22::text, $23::text, $24::text, $25::text, $26::text, $27::text
                WHERE (SELECT ok FROM proceed)
            )
            SELECT ok FROM proceed
            """
        typealias Row = Bool

        var commands: NewCommands
        var idempotency: IdempotencyClaim?
        /// The response stored with the idempotency key (ignored without one).
        var status: Int
        var body: String
        var audit: AuditEntry

        func makeBindings() -> PostgresBindings {
            var paused: Bool?
            var changeSpeed = false
            var speed: Double?
            switch commands.desiredChange {
            case .paused(let value)?: paused = value
            case .speedLimit(let value)?: changeSpeed = true; speed = value
            case nil: break
            }
            var bindings = PostgresBindings(capacity: 28)
            bindings.append(idempotency?.tokenID ?? "")
            bindings.append(idempotency?.key ?? "")
            bindings.append(idempotency?.fingerprint ?? "")
            bindings.append(status)
            bindings.append(idempotency == nil ? "" : body)  // a fleet command's response can be large; only stored with a key
            bindings.append(idempotency != nil)
            bindings.append(commands.action.kind.rawValue)
            bindings.append(commands.speedLimit)
            bindings.append(commands.reason)
            bindings.append(commands.createdAt)
            bindings.append(commands.expiresAt)
            bindings.append(commands.firstResendAt)
            bindings.append(commands.batchID)
            bindings.append(commands.createdBy)
            bindings.append(commands.ids)
            bindings.append(commands.vehicleIDs)
            bindings.append(paused)
            bindings.append(speed)
            bindings.append(commands.desiredChange != nil)
            bindings.append(changeSpeed)
            bindings.append(audit.actorTokenID)
            bindings.append(audit.actorName)
            bindings.append(audit.action)
            bindings.append(audit.target)
            bindings.append(audit.outcome)
            bindings.append(audit.details)
            bindings.append(audit.remoteAddress)
            bindings.append(commands.route?.storedText)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }
}
