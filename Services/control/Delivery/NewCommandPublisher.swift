import ServiceLifecycle

/// Publishes commands as soon as the API stored them (their first attempt), without waiting for a scan.
struct NewCommandPublisher: Service {
    let delivery: CommandDelivery

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { publishes in
                for await batch in delivery.new.stream {
                    for command in batch { delivery.startPublishing(command, in: &publishes) }
                }
                publishes.cancelAll()
            }
        }
    }
}
