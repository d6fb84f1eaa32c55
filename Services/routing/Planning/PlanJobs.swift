import FleetService
import FleetGeo
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Solves queued plans one at a time (each already uses a whole core for its time limit). Plans left queued or
/// running by a previous process are picked up at start.
final class PlanJobs: Service, Sendable {
    private let service: PlanService
    private let stream: AsyncStream<(Plan, PlanRequest)>
    private let continuation: AsyncStream<(Plan, PlanRequest)>.Continuation
    private let waiting = Atomic<Int>(0)
    private let logger: Logger

    init(service: PlanService, logger: Logger) {
        self.service = service
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: (Plan, PlanRequest).self)
    }

    /// Queues a stored plan.
    func submit(_ plan: Plan, request: PlanRequest) {
        let count = waiting.add(1, ordering: .relaxed).newValue
        service.metrics.queuedJobs.record(count)
        continuation.yield((plan, request))
    }

    /// Queues what a previous process left unsolved.
    func resumePending() async throws {
        let pending = try await service.repository.pending()
        for (plan, request) in pending { submit(plan, request: request) }
        if !pending.isEmpty { logger.info("Resuming queued plans", metadata: ["count": "\(pending.count)"]) }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await (plan, request) in self.stream {
                let count = self.waiting.subtract(1, ordering: .relaxed).newValue
                self.service.metrics.queuedJobs.record(count)
                await self.service.run(plan, request: request)
            }
        }
    }
}
