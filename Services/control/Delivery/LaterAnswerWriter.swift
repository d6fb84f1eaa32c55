import FleetService
import ServiceLifecycle

/// Stores the answers the ``AnswerRecorder`` queued behind a command's first one, in arrival order, everything queued
/// meanwhile together; drains the queue before it ends.
struct LaterAnswerWriter: Service {
    let recorder: AnswerRecorder

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                let batch = recorder.takeLaterAnswers(limit: CommandDelivery.batchLimit)
                if batch.isEmpty {
                    if Task.isCancelled { return }
                    await recorder.laterAnswersQueued.wait(timeout: .seconds(1))
                    continue
                }
                for round in AnswerRecorder.rounds(batch) { await recorder.store(round) }
            }
        }
    }
}
