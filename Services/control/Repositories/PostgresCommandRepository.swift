import FleetCore
import FleetService
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
        let kind = commands.action.kind.rawValue
        let route = commands.route
        let records = zip(commands.ids, commands.vehicleIDs).map { id, vehicle in
            CommandRecord(
                id: id, vehicleID: vehicle, action: kind, speedLimitMetersPerSecond: commands.speedLimit, route: route,
                reason: commands.reason,
                status: .pending, statusReason: nil, createdAt: commands.createdAt, updatedAt: commands.createdAt,
                expiresAt: commands.expiresAt, attempts: 1, batchID: commands.batchID, createdBy: commands.createdBy,
                transitions: [.init(status: .pending, at: commands.createdAt, reason: nil)]
            )
        }
        // The response depends only on the request, so it is rendered first and stored with the idempotency key.
        let (status, body) = try render(records)
        let statement = CommandStatements.CreateCommands(commands: commands, idempotency: idempotency, status: status, body: body, audit: audit)
        let rows = try await client.execute(statement, logger: logger)
        var stored = false
        for try await ok in rows { stored = ok }
        guard !stored, let claim = idempotency else { return .created(records, status: status, body: body) }
        // The key was used before: replay its response if the request is the same.
        let previous = try await client.query(
            "SELECT fingerprint, status_code, response FROM \(unescaped: schema).idempotency_keys WHERE token_id = \(claim.tokenID) AND key = \(claim.key)",
            logger: logger
        )
        for try await (fingerprint, status, body) in previous.decode((String, Int, String).self) {
            return fingerprint == claim.fingerprint ? .replayed(status: status, body: body) : .keyReused
        }
        return .keyReused
    }

    /// Fails unless unqualified names resolve in ``schema`` (``CommandStatements`` rely on it); call after migrating.
    func checkSearchPath() async throws {
        try await client.requireSearchPath(schema, logger: logger)
    }

    func command(_ id: String) async throws -> CommandRecord? {
        try await records(from: client.execute(CommandStatements.CommandByID(id: id), logger: logger)).first
    }

    func history(vehicle: String, limit: Int) async throws -> [CommandRecord] {
        try await commands(
            whereClause: "vehicle_id = $1 ORDER BY created_at DESC, id LIMIT $2", order: "c.created_at DESC, c.id",
            bindings: { $0.append(vehicle); $0.append(limit) }
        )
    }

    /// Commands matching `whereClause` (which may end in ORDER BY/LIMIT) with their transitions, in one query:
    /// one row per transition, commands in `order`.
    private func commands(whereClause: String, order: String, bindings fill: (inout PostgresBindings) -> Void) async throws -> [CommandRecord] {
        var bindings = PostgresBindings()
        fill(&bindings)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT c.id, c.vehicle_id, c.action, c.speed_limit_mps, c.route::text, c.reason, c.status, c.status_reason, c.created_at,
                           c.updated_at, c.expires_at, c.attempts, c.batch_id, c.created_by, t.status, t.at, t.reason
                    FROM (
                        SELECT id, vehicle_id, action, speed_limit_mps, route, reason, status, status_reason, created_at, updated_at,
                               expires_at, attempts, batch_id, created_by
                        FROM \(schema).commands WHERE \(whereClause)
                    ) c
                    LEFT JOIN \(schema).command_transitions t ON t.command_id = c.id
                    ORDER BY \(order), t.id
                    """,
                binds: bindings
            ),
            logger: logger
        )
        return try await records(from: rows)
    }

    /// Commands from rows of their columns (the route as text) followed by one transition's (status, at, reason), grouped
    /// by command.
    func records<Rows: AsyncSequence>(from rows: Rows) async throws -> [CommandRecord] where Rows.Element == PostgresRow {
        var records: [CommandRecord] = []
        for try await row in rows {
            let (id, vehicle, action, speed, route, reason, status, statusReason, createdAt, updatedAt, expiresAt, attempts, batch, createdBy, step, at, stepReason) =
                try row.decode((String, String, String, Double?, String?, String?, String, String?, Date, Date, Date, Int, String?, String, String?, Date?, String?).self)
            if records.last?.id != id {
                records.append(
                    CommandRecord(
                        id: id, vehicleID: vehicle, action: action, speedLimitMetersPerSecond: speed, route: RouteBody.stored(route),
                        reason: reason,
                        status: CommandStatus(rawValue: status) ?? .pending, statusReason: statusReason, createdAt: createdAt,
                        updatedAt: updatedAt, expiresAt: expiresAt, attempts: attempts, batchID: batch, createdBy: createdBy, transitions: []
                    )
                )
            }
            if let step, let at, let stepStatus = CommandStatus(rawValue: step) {
                records[records.count - 1].transitions.append(.init(status: stepStatus, at: at, reason: stepReason))
            }
        }
        return records
    }

    func transition(_ requests: [TransitionRequest]) async throws -> [TransitionOutcome] {
        guard !requests.isEmpty else { return [] }
        if requests.count == 1 {
            for try await (createdAt, known) in try await client.execute(CommandStatements.ApplyTransition(request: requests[0]), logger: logger) {
                return [TransitionOutcome(createdAt: createdAt, known: known)]
            }
            return [.unknown]
        }
        // Concurrent batches (acknowledgements, later answers, `sent` marks, expiry) touch overlapping commands: each
        // locks its rows in id order first, so they queue behind each other instead of deadlocking.
        // Text arrays cannot carry NULL here: an empty vehicle means "any vehicle", an empty reason none.
        let ids = requests.map(\.commandID)
        let vehicles = requests.map { $0.vehicleID ?? "" }
        let statuses = requests.map(\.status.rawValue)
        let reasons = requests.map { $0.reason ?? "" }
        let allowed = requests.map { $0.status.allowedPredecessors.map(\.rawValue).joined(separator: ",") }
        let rows = try await client.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(ids)::text[], \(vehicles)::text[], \(statuses)::text[], \(reasons)::text[], \(allowed)::text[])
                    AS u (id, vehicle_id, status, reason, allowed)
            ), locked AS MATERIALIZED (
                -- Re-checked on the latest row version once a lock is granted, and held until commit.
                SELECT c.id, u.status, u.reason
                FROM \(unescaped: schema).commands c JOIN input u ON u.id = c.id
                WHERE c.status = ANY(string_to_array(u.allowed, ',')) AND (u.vehicle_id = '' OR c.vehicle_id = u.vehicle_id)
                ORDER BY c.id
                FOR UPDATE OF c
            ), updated AS (
                UPDATE \(unescaped: schema).commands c
                SET status = l.status, status_reason = nullif(l.reason, ''), updated_at = now()
                FROM locked l
                WHERE c.id = l.id
                RETURNING c.id, c.created_at, l.status, nullif(l.reason, '') AS reason
            ), logged AS (
                INSERT INTO \(unescaped: schema).command_transitions (command_id, status, reason)
                SELECT id, status, reason FROM updated
            )
            SELECT u.id, updated.created_at,
                   updated.id IS NOT NULL OR EXISTS (SELECT 1 FROM \(unescaped: schema).commands k WHERE k.id = u.id AND (u.vehicle_id = '' OR k.vehicle_id = u.vehicle_id))
            FROM input u LEFT JOIN updated ON updated.id = u.id
            """,
            logger: logger
        )
        var outcomes: [String: TransitionOutcome] = [:]
        for try await (id, createdAt, known) in rows.decode((String, Date?, Bool).self) {
            // Not updated: the command is past that status (stale), or there is no such command for that vehicle.
            outcomes[id] = TransitionOutcome(createdAt: createdAt, known: known)
        }
        return requests.map { outcomes[$0.commandID] ?? .unknown }
    }

    func expireDue() async throws -> [String] {
        let reason = "time-to-live elapsed before the vehicle answered"
        let rows = try await client.query(
            """
            WITH due AS MATERIALIZED (
                SELECT id FROM \(unescaped: schema).commands
                WHERE status IN ('pending', 'sent') AND expires_at <= now()
                ORDER BY id FOR UPDATE SKIP LOCKED
            ), expired AS (
                -- ARRAY(...) runs the locking query first, as one init plan, and lets the update use the primary key.
                UPDATE \(unescaped: schema).commands c SET status = 'expired', status_reason = \(reason), updated_at = now()
                WHERE c.id = ANY(ARRAY(SELECT id FROM due))
                RETURNING c.id
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
            RETURNING c.id, c.vehicle_id, c.action, c.speed_limit_mps, c.route::text, c.reason, c.created_at, c.expires_at, c.attempts
            """,
            logger: logger
        )
        var due: [DueCommand] = []
        for try await (id, vehicle, action, speed, route, reason, createdAt, expiresAt, attempts) in rows.decode(
            (String, String, String, Double?, String?, String?, Date, Date, Int).self
        ) {
            guard
                let command = Command.stored(
                    id: id, vehicle: vehicle, action: action, speedLimit: speed, route: RouteBody.stored(route), reason: reason,
                    createdAt: createdAt, expiresAt: expiresAt
                )
            else {
                logger.error("Stored command cannot be encoded; skipping", metadata: ["command.id": "\(id)"])
                continue
            }
            due.append(DueCommand(command: command, attempt: attempts))
        }
        return due
    }

    func resendNow(vehicle: String) async throws -> Int {
        let rows = try await client.query(
            """
            WITH due AS MATERIALIZED (
                SELECT id FROM \(unescaped: schema).commands
                WHERE vehicle_id = \(vehicle) AND status IN ('pending', 'sent') AND next_attempt_at > now() AND expires_at > now()
                ORDER BY id FOR UPDATE
            )
            UPDATE \(unescaped: schema).commands c SET next_attempt_at = now()
            WHERE c.id = ANY(ARRAY(SELECT id FROM due))
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

    func markDesiredPublished(_ revisions: [String: UInt64]) async throws {
        guard !revisions.isEmpty else { return }
        let vehicles = Array(revisions.keys)
        let published = vehicles.map { Int64(revisions[$0] ?? 0) }
        // Rows locked in vehicle order, as a fleet command's desired-state upsert takes them, so the two never deadlock.
        try await client.query(
            """
            WITH locked AS MATERIALIZED (
                SELECT d.vehicle_id, u.revision
                FROM \(unescaped: schema).desired_states d JOIN unnest(\(vehicles)::text[], \(published)::bigint[]) AS u (vehicle_id, revision)
                    ON u.vehicle_id = d.vehicle_id
                ORDER BY d.vehicle_id COLLATE "C"
                FOR UPDATE OF d
            )
            UPDATE \(unescaped: schema).desired_states d SET published_revision = greatest(d.published_revision, l.revision)
            FROM locked l
            WHERE d.vehicle_id = l.vehicle_id
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

    func purgeFinishedCommands(olderThanSeconds age: Int, limit: Int) async throws -> Int {
        // The finished statuses are literals, matching the partial index commands_finished_updated (0005), from which
        // the oldest are read. A command is locked before it is deleted and its status checked again then. Its
        // transitions go with it (ON DELETE CASCADE).
        let rows = try await client.query(
            """
            WITH old AS MATERIALIZED (
                SELECT id FROM \(unescaped: schema).commands
                WHERE status IN ('rejected', 'completed', 'failed', 'expired') AND updated_at < now() - make_interval(secs => \(Double(age)))
                ORDER BY updated_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), purged AS (
                -- ARRAY(...) runs the locking query first, as one init plan, and lets the delete use the primary key.
                DELETE FROM \(unescaped: schema).commands c WHERE c.id = ANY(ARRAY(SELECT id FROM old))
                RETURNING 1
            )
            SELECT count(*) FROM purged
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) {
            return count
        }
        return 0
    }
}

extension CommandAction {
    /// Rebuilds an action from its stored kind and parameter.
    init?(kind: String, speedLimit: Double?, route: RouteBody?) {
        switch CommandAction.Kind(rawValue: kind) {
        case .pause: self = .pause
        case .resume: self = .resume
        case .returnToBase: self = .returnToBase
        case .setSpeedLimit:
            guard let speedLimit else { return nil }
            self = .setSpeedLimit(metersPerSecond: speedLimit)
        case .clearSpeedLimit: self = .clearSpeedLimit
        case .followRoute:
            guard let route else { return nil }
            self = .followRoute(route.instruction)
        case nil: return nil
        }
    }
}
