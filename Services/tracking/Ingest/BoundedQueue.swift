import DequeModule

/// A first-in first-out queue whose producers wait while it is full: the back-pressure between
/// the MQTT consumer and the database writers.
actor BoundedQueue<Element: Sendable> {
    private let capacity: Int
    private var items = Deque<Element>()
    private var waitingProducers = Deque<CheckedContinuation<Void, Never>>()
    private var waitingConsumers = Deque<CheckedContinuation<Element?, Never>>()
    private var finished = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { items.count }

    /// Appends `element`, waiting while the queue is full. Returns false after ``finish()``.
    @discardableResult
    func push(_ element: Element) async -> Bool {
        while items.count >= capacity && !finished {
            await withCheckedContinuation { waitingProducers.append($0) }
        }
        guard !finished else { return false }
        if let consumer = waitingConsumers.popFirst() {
            consumer.resume(returning: element)
        } else {
            items.append(element)
        }
        return true
    }

    /// Merges `element` into the last queued one when `merge` accepts it (returns true), otherwise appends it as
    /// ``push(_:)`` does. While the consumer is busy a backlog then becomes fewer, bigger elements instead of a queue
    /// of small ones. Returns false after ``finish()``.
    @discardableResult
    func push(_ element: Element, mergingWith merge: (inout Element, Element) -> Bool) async -> Bool {
        if !finished, !items.isEmpty, merge(&items[items.count - 1], element) { return true }
        return await push(element)
    }

    /// The next element, waiting while the queue is empty; nil once finished and drained.
    func pop() async -> Element? {
        if let element = items.popFirst() {
            waitingProducers.popFirst()?.resume()
            return element
        }
        if finished { return nil }
        return await withCheckedContinuation { waitingConsumers.append($0) }
    }

    /// No more pushes; consumers drain what is queued, then get nil.
    func finish() {
        finished = true
        while let producer = waitingProducers.popFirst() { producer.resume() }
        while let consumer = waitingConsumers.popFirst() { consumer.resume(returning: nil) }
    }
}
