import FleetCore
import FleetService
import Foundation

/// Commands to create: one per vehicle, sharing action, reason, timestamps and batch.
struct NewCommands: Sendable {
    /// How the commands change the vehicles' desired state, if at all.
    enum DesiredChange: Sendable, Equatable {
        case paused(Bool)
        case speedLimit(Double?)
    }

    var ids: [String]
    var vehicleIDs: [String]
    var action: CommandAction
    var reason: String?
    var createdAt: Date
    var expiresAt: Date
    var batchID: String?
    var createdBy: String
    /// The creator publishes the commands at once (their first attempt); the dispatcher resends from this instant on
    /// if no vehicle answered (and after a crash between storing and publishing).
    var firstResendAt: Date

    var desiredChange: DesiredChange? {
        switch action {
        case .pause: .paused(true)
        case .resume: .paused(false)
        case .setSpeedLimit(let limit): .speedLimit(limit)
        case .clearSpeedLimit: .speedLimit(nil)
        case .returnToBase, .followRoute: nil
        }
    }

    var speedLimit: Double? {
        if case .setSpeedLimit(let limit) = action { return limit }
        return nil
    }

    /// The stops of a `follow_route` command, as stored in `commands.route` and returned by the API.
    var route: RouteBody? { action.route.map(RouteBody.init) }
}

/// An `Idempotency-Key` claim: the same key from the same token with the same request replays the first response.
struct IdempotencyClaim: Sendable {
    var tokenID: String
    var key: String
    var fingerprint: String
}

/// What creating commands led to.
enum CreateOutcome: Sendable {
    /// Created; the rendered response was stored for the idempotency key.
    case created([CommandRecord], status: Int, body: String)
    /// The key was used before for the same request: its stored response.
    case replayed(status: Int, body: String)
    /// The key was used before for a different request.
    case keyReused
}

/// A command due for (re)delivery.
struct DueCommand: Sendable {
    var command: Command
    var attempt: Int
}

/// One status change to apply: a publish confirmation (`sent`, any vehicle) or a vehicle's answer.
struct TransitionRequest: Sendable, Equatable {
    var commandID: String
    /// The vehicle the command must belong to; `nil` skips that check.
    var vehicleID: String?
    var status: CommandStatus
    var reason: String?
}

/// What an acknowledgement or publish confirmation did to a command.
enum TransitionOutcome: Sendable, Equatable {
    case applied(createdAt: Date)
    /// The command is already past that status (a late or duplicate acknowledgement).
    case stale
    /// No command with that id for that vehicle.
    case unknown

    /// From a transition statement's answer: the command's creation time if the transition was applied, and whether
    /// the command exists (for that vehicle) at all.
    init(createdAt: Date?, known: Bool) {
        self = createdAt.map { .applied(createdAt: $0) } ?? (known ? .stale : .unknown)
    }
}

/// Storage of commands, their transitions, desired states and idempotency keys.
protocol CommandRepository: Sendable {
    /// Stores the commands (status `pending`), their desired-state change, the audit entry and the rendered response
    /// atomically, unless `idempotency` names a key already used. `render` runs before anything is stored.
    func create(
        _ commands: NewCommands, idempotency: IdempotencyClaim?, audit: AuditEntry,
        render: @Sendable ([CommandRecord]) throws -> (status: Int, body: String)
    ) async throws -> CreateOutcome
    /// One command with its transitions.
    func command(_ id: String) async throws -> CommandRecord?
    /// A vehicle's commands, newest first.
    func history(vehicle: String, limit: Int) async throws -> [CommandRecord]
    /// Moves each command to its requested status if its current status allows it, all in one statement.
    /// Command ids must be distinct within one call (apply a command's later answers in a later call).
    /// - Returns: one outcome per request, in request order.
    func transition(_ requests: [TransitionRequest]) async throws -> [TransitionOutcome]
    /// Marks commands whose TTL passed while still `pending`/`sent` as `expired`; returns their ids.
    func expireDue() async throws -> [String]
    /// Claims commands due for (re)delivery and schedules their next attempt with exponential backoff.
    func claimDue(limit: Int, initialBackoff: Double, maxBackoff: Double) async throws -> [DueCommand]
    /// Makes a vehicle's waiting commands due now (it just came online).
    func resendNow(vehicle: String) async throws -> Int
    /// Desired states not yet published at their current revision.
    func unpublishedDesiredStates(limit: Int) async throws -> [DesiredState]
    /// Records, in one statement, that each vehicle's desired state is retained on the broker at the given revision.
    func markDesiredPublished(_ revisions: [String: UInt64]) async throws
    /// Forgets idempotency keys older than `age` seconds.
    func pruneIdempotencyKeys(olderThanSeconds age: Int) async throws
    /// Deletes up to `limit` finished commands (rejected, completed, failed, expired) unchanged for more than `age`
    /// seconds, with their transitions, oldest first, skipping rows another transaction holds; returns how many
    /// commands it deleted. Pending, sent and acknowledged commands are never deleted.
    func purgeFinishedCommands(olderThanSeconds age: Int, limit: Int) async throws -> Int
}
