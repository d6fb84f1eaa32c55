import FleetCore
import FleetService
import Hummingbird

/// `GET /v1/dead-letters[?reason=…&limit=…]`: the newest rejected messages with their reasons.
struct DeadLettersController<Repository: TrackingRepository, Context: AuthenticatedRequestContext>: Sendable {
    let repository: Repository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("dead-letters", use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> DeadLetterList {
        _ = try context.require(.fleetRead)
        let limit = try request.integer("limit", default: 100, range: 1...1_000)
        let reason = request.query("reason")
        if let reason, RejectionReason(rawValue: reason) == nil {
            throw HTTPError(.badRequest, message: "reason must be one of: \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return DeadLetterList(deadLetters: try await repository.deadLetters(limit: limit, reason: reason))
    }
}
