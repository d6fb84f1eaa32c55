import Testing

@testable import FleetTracking

/// ``BoundedQueue``: back-pressure, and merging a backlog into bigger elements while the consumer is busy.
@Suite("Bounded queue between the batcher and the writers")
struct BoundedQueueTests {
    /// Merges arrays up to `limit` elements in total.
    static func merge(limit: Int) -> (inout [Int], [Int]) -> Bool {
        { waiting, new in
            guard waiting.count + new.count <= limit else { return false }
            waiting += new
            return true
        }
    }

    @Test("Pushes while the consumer is busy join the waiting element up to the limit, in order")
    func mergesBacklog() async {
        let queue = BoundedQueue<[Int]>(capacity: 2)
        for value in 1...5 {
            await queue.push([value], mergingWith: Self.merge(limit: 3))
        }
        #expect(await queue.count == 2)
        #expect(await queue.pop() == [1, 2, 3])
        #expect(await queue.pop() == [4, 5])
        // An empty queue has nothing to merge into: the element is queued as it is.
        await queue.push([6], mergingWith: Self.merge(limit: 3))
        #expect(await queue.pop() == [6])
    }

    @Test("A full queue whose last element cannot take more makes the producer wait until the consumer pops")
    func backPressure() async {
        let queue = BoundedQueue<[Int]>(capacity: 1)
        await queue.push([1, 2], mergingWith: Self.merge(limit: 2))
        let producer = Task { await queue.push([3], mergingWith: Self.merge(limit: 2)) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await queue.count == 1)  // still waiting: [3] neither merged nor queued
        #expect(await queue.pop() == [1, 2])
        #expect(await producer.value)
        #expect(await queue.pop() == [3])
        await queue.finish()
        #expect(await queue.pop() == nil)
        #expect(await !queue.push([4], mergingWith: Self.merge(limit: 2)))
    }
}
