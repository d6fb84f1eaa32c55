import DequeModule
import FleetCore

/// The last `capacity` command ids seen, for de-duplication (oldest forgotten first).
struct RecentIDs: Sendable {
    private var order: Deque<MessageID> = []
    private var members: Set<MessageID> = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Records `id`; returns `false` if it was already recorded.
    mutating func insert(_ id: MessageID) -> Bool {
        guard members.insert(id).inserted else { return false }
        order.append(id)
        if order.count > capacity, let oldest = order.popFirst() { members.remove(oldest) }
        return true
    }
}
