import Foundation
import PostgresNIO

/// fleet-control's most frequent single-row statements, prepared once per connection: PostgreSQL parses and plans
/// them once instead of on every call (at 100 commands/s, parsing and planning were most of the database's work).
///
/// Their SQL is fixed, so table names are unqualified: the client's search path is the service's schema
/// (``ControlComponents``). Multi-row variants stay ad hoc statements, planned for their actual size.
enum CommandStatements {
    /// One command and its transitions in order (`GET /v1/commands/{id}`, long-polls). Rows as
    /// ``PostgresCommandRepository/records(from:)`` reads them.
    struct CommandByID: KeyedStatement {
        static let sql = """
            SELECT c.id, c.vehicle_id, c.action, c.speed_limit_mps, c.reason, c.status, c.status_reason, c.created_at, c.updated_at,
                   c.expires_at, c.attempts, c.batch_id, c.created_by, t.status, t.at, t.reason
            FROM commands c LEFT JOIN command_transitions t ON t.command_id = c.id
            WHERE c.id = $1
            ORDER BY t.id
            """
        typealias Row = PostgresRow

        var id: String

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

    /// One vehicle's connectivity (`POST /v1/vehicles/{id}/commands`).
    struct VehicleConnectivity: KeyedStatement {
        static let sql = "SELECT connectivity FROM vehicles WHERE id = $1"
        typealias Row = String

        var id: String

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }
}

/// A prepared statement whose one parameter (`$1`) is a text key.
private protocol KeyedStatement: PostgresPreparedStatement {
    var id: String { get }
}

extension KeyedStatement {
    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        return bindings
    }
}
