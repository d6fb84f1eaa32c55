import FleetCore
import Foundation
import Logging
import PostgresNIO

/// ``CommandRepository`` on PostgreSQL (`<schema>.commands`, `command_transitions`, `desired_states`, `idempotency_keys`).
struct PostgresCommandRepository: CommandRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    func create(
        _ commands: NewCommands, idempotency: IdempotencyClaim?, audit: AuditEntry,
        render: @Sendable ([CommandRecord]) throws -> (status: Int, body: String)
    ) async throws -> CreateOutcome {
        try await client.withUnwrappedTransaction(logger: logger) { connection in
            if let claim = idempotency {
                let inserted = try await connection.query(
                    """
                    INSERT INTO \(unescaped: schema).idempotency_keys (token_id, key, fingerprint, status_code, response)
                    VALUES (\(claim.tokenID), \(claim.key), \(claim.fingerprint), 0, '') ON CONFLICT DO NOTHING RETURNING 1
                    """,
                    logger: logger
                )
                var fresh = false
                for try await _ in inserted { fresh = true }
                if !fresh {
                    let stored = try await connection.query(
                        "SELECT fingerprint, status_code, response FROM \(unescaped: schema).idempotency_keys WHERE token_id = \(claim.tokenID) AND key = \(claim.key)",
                        logger: logger
                    )
                    for try await (fingerprint, status, body) in stored.decode((String, Int, String).self) {
                        return fingerprint == claim.fingerprint ? .replayed(status: status, body: body) : .keyReused
                    }
                    return .keyReused
                }
            }
            let kind = commands.action.kind.rawValue
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).commands
                    (id, vehicle_id, action, speed_limit_mps, reason, status, created_at, updated_at, expires_at, next_attempt_at, batch_id, created_by)
                SELECT c.id, c.vehicle_id, \(kind), \(commands.speedLimit), \(commands.reason), 'pending', \(commands.createdAt), \(commands.createdAt),
                       \(commands.expiresAt), \(commands.createdAt), \(commands.batchID), \(commands.createdBy)
                FROM unnest(\(commands.ids)::text[], \(commands.vehicleIDs)::text[]) AS c (id, vehicle_id)
                """,
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).command_transitions (command_id, status, at)
                SELECT id, 'pending', \(commands.createdAt) FROM unnest(\(commands.ids)::text[]) AS c (id)
                """,
                logger: logger
            )
            if let change = commands.desiredChange {
                var paused: Bool?
                var changeSpeed = false
                var speed: Double?
                switch change {
                case .paused(let value): paused = value
                case .speedLimit(let value): changeSpeed = true; speed = value
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: schema).desired_states AS d (vehicle_id, revision, paused, speed_limit_mps, reason, updated_at)
                    SELECT v, 1, coalesce(\(paused)::boolean, false), \(speed)::double precision, \(commands.reason), \(commands.createdAt)
                    FROM unnest(\(commands.vehicleIDs)::text[]) AS v
                    ON CONFLICT (vehicle_id) DO UPDATE SET
                        revision = d.revision + 1,
                        paused = coalesce(\(paused)::boolean, d.paused),
                        speed_limit_mps = CASE WHEN \(changeSpeed) THEN EXCLUDED.speed_limit_mps ELSE d.speed_limit_mps END,
                        reason = EXCLUDED.reason,
                        updated_at = EXCLUDED.updated_at
                    """,
                    logger: logger
                )
            }
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            let records = zip(commands.ids, commands.vehicleIDs).map { id, vehicle in
                CommandRecord(
                    id: id, vehicleID: vehicle, action: kind, speedLimitMetersPerSecond: commands.speedLimit, reason: commands.reason,
                    status: .pending, statusReason: nil, createdAt: commands.createdAt, updatedAt: commands.createdAt,
                    expiresAt: commands.expiresAt, attempts: 0, batchID: commands.batchID, createdBy: commands.createdBy,
                    transitions: [.init(status: .pending, at: commands.createdAt, reason: nil)]
                )
            }
            let (status, body) = try render(records)
            if let claim = idempotency {
                try await connection.query(
                    """
                    UPDATE \(unescaped: schema).idempotency_keys SET status_code = \(status), response = \(body)
                    WHERE token_id = \(claim.tokenID) AND key = \(claim.key)
                    """,
                    logger: logger
                )
            }
            return .created(records, status: status, body: body)
        }
    }

    func command(_ id: String) async throws -> CommandRecord? {
        try await commands(whereClause: "id = $1", bindings: { $0.append(id) }).first
    }

    func history(vehicle: String, limit: Int) async throws -> [CommandRecord] {
        try await commands(whereClause: "vehicle_id = $1 ORDER BY created_at DESC, id LIMIT $2", bindings: { $0.append(vehicle); $0.append(limit) })
    }

    private func commands(whereClause: String, bindings fill: (inout PostgresBindings) -> Void) async throws -> [CommandRecord] {
        var bindings = PostgresBindings()
        fill(&bindings)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT id, vehicle_id, action, speed_limit_mps, reason, status, status_reason, created_at, updated_at, expires_at,
                           attempts, batch_id, created_by
                    FROM \(schema).commands WHERE \(whereClause)
                    """,
                binds: bindings
            ),
            logger: logger
        )
        var records: [CommandRecord] = []
        for try await row in rows {
            let (id, vehicle, action, speed, reason, status, statusReason, createdAt, updatedAt, expiresAt, attempts, batch, createdBy) =
                try row.decode((String, String, String, Double?, String?, String, String?, Date, Date, Date, Int, String?, String).self)
            records.append(
                CommandRecord(
                    id: id, vehicleID: vehicle, action: action, speedLimitMetersPerSecond: speed, reason: reason,
                    status: CommandStatus(rawValue: status) ?? .pending, statusReason: statusReason, createdAt: createdAt,
                    updatedAt: updatedAt, expiresAt: expiresAt, attempts: attempts, batchID: batch, createdBy: createdBy, transitions: []
                )
            )
        }
        guard !records.isEmpty else { return [] }
        let transitions = try await client.query(
            """
            SELECT command_id, status, at, reason FROM \(unescaped: schema).command_transitions
            WHERE command_id = ANY(\(records.map(\.id))) ORDER BY id
            """,
            logger: logger
        )
        var byCommand: [String: [CommandRecord.Transition]] = [:]
        for try await (id, status, at, reason) in transitions.decode((String, String, Date, String?).self) {
            guard let status = CommandStatus(rawValue: status) else { continue }
            byCommand[id, default: []].append(.init(status: status, at: at, reason: reason))
        }
        for index in records.indices { records[index].transitions = byCommand[records[index].id] ?? [] }
        return records
    }

    func transition(_ id: String, vehicle: String?, to status: CommandStatus, reason: String?) async throws -> TransitionOutcome {
        let from = status.allowedPredecessors.map(\.rawValue)
        let rows = try await client.query(
            """
            WITH updated AS (
                UPDATE \(unescaped: schema).commands SET status = \(status.rawValue), status_reason = \(reason), updated_at = now()
                WHERE id = \(id) AND status = ANY(\(from)) AND (\(vehicle)::text IS NULL OR vehicle_id = \(vehicle))
                RETURNING id, created_at
            ), logged AS (
                INSERT INTO \(unescaped: schema).command_transitions (command_id, status, reason)
                SELECT id, \(status.rawValue), \(reason) FROM updated
            )
            SELECT created_at FROM updated
            """,
            logger: logger
        )
        for try await createdAt in rows.decode(Date.self) { return .applied(createdAt: createdAt) }
        let existing = try await client.query(
            "SELECT 1 FROM \(unescaped: schema).commands WHERE id = \(id) AND (\(vehicle)::text IS NULL OR vehicle_id = \(vehicle))",
            logger: logger
        )
        for try await _ in existing { return .stale }
        return .unknown
    }

    func expireDue() async throws -> [String] {
        let reason = "time-to-live elapsed before the vehicle answered"
        let rows = try await client.query(
            """
            WITH expired AS (
                UPDATE \(unescaped: schema).commands SET status = 'expired', status_reason = \(reason), updated_at = now()
                WHERE status IN ('pending', 'sent') AND expires_at <= now()
                RETURNING id
            ), logged AS (
                INSERT INTO \(unescaped: schema).command_transitions (command_id, status, reason) SELECT id, 'expired', \(reason) FROM expired
            )
            SELECT id FROM expired
            """,
            logger: logger
        )
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    func claimDue(limit: Int, initialBackoff: Double, maxBackoff: Double) async throws -> [DueCommand] {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).commands c
            SET attempts = c.attempts + 1,
                next_attempt_at = now() + make_interval(secs => least(\(maxBackoff)::double precision, \(initialBackoff) * power(2, c.attempts))),
                updated_at = now()
            FROM (
                SELECT id FROM \(unescaped: schema).commands
                WHERE status IN ('pending', 'sent') AND next_attempt_at <= now() AND expires_at > now()
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ) due
            WHERE c.id = due.id
            RETURNING c.id, c.vehicle_id, c.action, c.speed_limit_mps, c.reason, c.created_at, c.expires_at, c.attempts
            """,
            logger: logger
        )
        var due: [DueCommand] = []
        for try await (id, vehicle, action, speed, reason, createdAt, expiresAt, attempts) in rows.decode(
            (String, String, String, Double?, String?, Date, Date, Int).self
        ) {
            guard let messageID = MessageID(validating: id), let vehicleID = VehicleID(validating: vehicle),
                let commandAction = CommandAction(kind: action, speedLimit: speed)
            else {
                logger.error("Stored command cannot be encoded; skipping", metadata: ["command.id": "\(id)"])
                continue
            }
            let command = Command(
                id: messageID, vehicleID: vehicleID, action: commandAction, reason: reason,
                issuedAtMillis: Int64((createdAt.timeIntervalSince1970 * 1000).rounded(.down)),
                expiresAtMillis: Int64((expiresAt.timeIntervalSince1970 * 1000).rounded(.down))
            )
            due.append(DueCommand(command: command, attempt: attempts))
        }
        return due
    }

    func resendNow(vehicle: String) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).commands SET next_attempt_at = now()
            WHERE vehicle_id = \(vehicle) AND status IN ('pending', 'sent') AND next_attempt_at > now() AND expires_at > now()
            RETURNING 1
            """,
            logger: logger
        )
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    func unpublishedDesiredStates(limit: Int) async throws -> [DesiredState] {
        let rows = try await client.query(
            """
            SELECT vehicle_id, revision, paused, speed_limit_mps, reason, updated_at FROM \(unescaped: schema).desired_states
            WHERE published_revision < revision ORDER BY updated_at LIMIT \(limit)
            """,
            logger: logger
        )
        var states: [DesiredState] = []
        for try await (vehicle, revision, paused, speed, reason, updatedAt) in rows.decode((String, Int64, Bool, Double?, String?, Date).self) {
            guard let vehicleID = VehicleID(validating: vehicle) else { continue }
            states.append(
                DesiredState(
                    vehicleID: vehicleID, revision: UInt64(revision), paused: paused, speedLimitMetersPerSecond: speed,
                    updatedAtMillis: Int64((updatedAt.timeIntervalSince1970 * 1000).rounded(.down)), reason: reason
                )
            )
        }
        return states
    }

    func markDesiredPublished(vehicle: String, revision: UInt64) async throws {
        try await client.query(
            """
            UPDATE \(unescaped: schema).desired_states SET published_revision = greatest(published_revision, \(Int64(revision)))
            WHERE vehicle_id = \(vehicle)
            """,
            logger: logger
        )
    }

    func pruneIdempotencyKeys(olderThanSeconds age: Int) async throws {
        try await client.query(
            "DELETE FROM \(unescaped: schema).idempotency_keys WHERE created_at < now() - make_interval(secs => \(Double(age)))",
            logger: logger
        )
    }
}

extension CommandAction {
    /// Rebuilds an action from its stored kind and parameter.
    init?(kind: String, speedLimit: Double?) {
        switch CommandAction.Kind(rawValue: kind) {
        case .pause: self = .pause
        case .resume: self = .resume
        case .returnToBase: self = .returnToBase
        case .setSpeedLimit:
            guard let speedLimit else { return nil }
            self = .setSpeedLimit(metersPerSecond: speedLimit)
        case .clearSpeedLimit: self = .clearSpeedLimit
        case nil: return nil
        }
    }
}
