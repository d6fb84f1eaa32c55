import FleetMQTT
import ServiceLifecycle

/// Follows `…/commands/ack` (QoS 1 on the persistent session): whatever arrived while the previous batch was being
/// stored is stored together by the ``AnswerRecorder``.
struct AcknowledgementConsumer: Service {
    let subscription: MQTTSubscription
    let recorder: AnswerRecorder

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var iterator = subscription.makeAsyncIterator()
            while let first = await iterator.next() {
                var batch = [first]
                // Buffered messages are returned at once; this loop is the subscription's only consumer.
                while batch.count < CommandDelivery.batchLimit, subscription.bufferedCount > 0, let next = await iterator.next() {
                    batch.append(next)
                }
                await recorder.handle(batch)
            }
        }
    }
}
