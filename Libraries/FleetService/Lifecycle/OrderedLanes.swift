/// Handles a stream's elements on `count` concurrent lanes; elements with the same key (for example one vehicle's
/// topic) always go to the same lane, so each key's elements are handled in order.
public enum OrderedLanes {
    /// Runs until `elements` ends, then until every lane has handled what it received.
    ///
    /// - Parameters:
    ///   - elements: The stream (for example an `MQTTSubscription`).
    ///   - count: Lanes, at least 1.
    ///   - key: The ordering key of an element.
    ///   - handle: Called for each element, on its key's lane.
    public static func run<Elements: AsyncSequence & Sendable, Key: Hashable>(
        _ elements: Elements,
        count: Int = 16,
        key: @escaping @Sendable (Elements.Element) -> Key,
        handle: @escaping @Sendable (Elements.Element) async -> Void
    ) async where Elements.Element: Sendable {
        let laneCount = max(1, count)
        await withDiscardingTaskGroup { group in
            var lanes: [AsyncStream<Elements.Element>.Continuation] = []
            for _ in 0..<laneCount {
                let (stream, continuation) = AsyncStream<Elements.Element>.makeStream(bufferingPolicy: .unbounded)
                lanes.append(continuation)
                group.addTask {
                    for await element in stream { await handle(element) }
                }
            }
            do {
                for try await element in elements {
                    lanes[Int(UInt(bitPattern: key(element).hashValue) % UInt(laneCount))].yield(element)
                }
            } catch {
                // A failing sequence ends like a finished one: the lanes drain what they have.
            }
            for lane in lanes { lane.finish() }
        }
    }
}
