import CoreMetrics
import FleetCore
import FleetHealthRules
import FleetService
import Logging

/// Records proposed transitions until the database takes them (the stream waits meanwhile, so nothing is lost and the
/// broker keeps the backlog), brings the book in line with what is recorded, and wakes the outbox relay.
struct TransitionRecorder: Sendable {
    let repository: any HealthRepository
    let book: HealthBook
    let tags: TagDirectory
    let relay: OutboxRelay
    let metrics: HealthMetrics
    let logger: Logger

    /// Records `transitions`; returns false only when shutdown interrupted the retries.
    @discardableResult
    func record(_ transitions: [HealthTransition], operation: String) async -> Bool {
        guard !transitions.isEmpty else { return true }
        let vehicleTags = tags.tags(for: Set(transitions.map(\.vehicleID.rawValue)))
        let applied = try? await retryingUntilSuccess(onFailure: { attempt, error in
            metrics.storeFailures.increment(operation)
            logger.warning("Health transitions not recorded; retrying", metadata: ["attempt": "\(attempt)", "error": "\(String(reflecting: error))"])
        }) {
            try await repository.apply(transitions, tags: vehicleTags)
        }
        guard let applied else { return false }
        book.sync(applied)
        if !applied.confirmed.isEmpty {
            relay.notify()
            for transition in applied.confirmed {
                logger.info(
                    "Health condition \(transition.change == .enter ? "entered" : "left")",
                    metadata: ["vehicle.id": "\(transition.vehicleID)", "condition": "\(transition.condition.key)"])
            }
        }
        return true
    }
}
