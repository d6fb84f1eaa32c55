import DequeModule

/// One vehicle's unconfirmed telemetry: every encoded sample with a sequence above the committed one, oldest first.
///
/// Bounded: when full, the oldest sample is evicted (and counted). A commit drops what it covers. Samples not yet
/// sent, or sent longer ago than the resend timeout, are handed out again in order by ``due(nowMillis:timeoutMillis:limit:)``.
struct TelemetryOutbox: Sendable {
    struct Entry: Sendable {
        var sequence: UInt64
        var payload: [UInt8]
        /// When it was last handed out for publishing; `nil` if never (or since the last reconnect).
        var sentAtMillis: Int64?
        /// How often it has been handed out.
        var attempts: Int
    }

    private(set) var entries: Deque<Entry> = []
    let capacity: Int
    /// The next sequence number to assign.
    var nextSequence: UInt64 = 1
    /// The highest sequence the tracking service has confirmed as durably stored.
    private(set) var committed: UInt64 = 0
    /// Samples evicted unconfirmed because the outbox was full.
    private(set) var evicted = 0
    /// Whether some entry may be due before ``earliestDueMillis`` (new, never sent, or not scanned to the end).
    private var mayHaveUnsent = false
    /// No sent entry becomes due before this time.
    private var earliestDueMillis: Int64 = .max

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    /// Assigns the next sequence number and stores the sample encoded by `encode`. Returns the sequence and whether
    /// an older sample had to be evicted.
    mutating func append(_ encode: (UInt64) -> [UInt8]?) -> (sequence: UInt64, evicted: Bool)? {
        let sequence = nextSequence
        guard let payload = encode(sequence) else { return nil }
        nextSequence += 1
        var didEvict = false
        if entries.count >= capacity {
            entries.removeFirst()
            evicted += 1
            didEvict = true
        }
        entries.append(Entry(sequence: sequence, payload: payload, sentAtMillis: nil, attempts: 0))
        mayHaveUnsent = true
        return (sequence, didEvict)
    }

    /// Drops every sample with `sequence <= committed`. A commit beyond what this outbox numbered moves the
    /// numbering on, so sequences never repeat. Returns how many samples were dropped.
    @discardableResult
    mutating func commit(_ sequence: UInt64) -> Int {
        guard sequence > committed else { return 0 }
        committed = sequence
        if sequence >= nextSequence { nextSequence = sequence + 1 }
        var dropped = 0
        while let first = entries.first, first.sequence <= sequence {
            entries.removeFirst()
            dropped += 1
        }
        return dropped
    }

    /// Forgets when samples were sent, so all unconfirmed samples go out again (after a reconnect).
    mutating func markAllUnsent() {
        for index in entries.indices { entries[index].sentAtMillis = nil }
        mayHaveUnsent = !entries.isEmpty
    }

    /// Up to `limit` samples, in sequence order, that were never sent or were sent more than `timeoutMillis` ago
    /// (doubling per attempt, at most 32×); marks them sent at `nowMillis`. Returns the samples and how many of them
    /// are resends.
    /// At most `resendLimit` of them are resends; the scan stops at the first resend beyond it, keeping the order.
    mutating func due(
        nowMillis: Int64, timeoutMillis: Int64, limit: Int, resendLimit: Int = .max
    ) -> (payloads: [(UInt64, [UInt8])], resends: Int) {
        var payloads: [(UInt64, [UInt8])] = []
        var resends = 0
        guard mayHaveUnsent || nowMillis >= earliestDueMillis, limit > 0 else { return (payloads, 0) }
        var earliest = Int64.max
        var index = entries.startIndex
        while index < entries.endIndex && payloads.count < limit {
            let entry = entries[index]
            let isDue: Bool
            if let sentAt = entry.sentAtMillis {
                let dueAt = sentAt + (timeoutMillis << Int64(min(5, max(0, entry.attempts - 1))))
                isDue = nowMillis >= dueAt
                if !isDue { earliest = min(earliest, dueAt) }
            } else {
                isDue = true
            }
            if isDue && entry.attempts > 0 && resends >= resendLimit { break }
            if isDue {
                earliest = min(earliest, nowMillis + timeoutMillis << Int64(min(5, entry.attempts)))
                if entry.attempts > 0 { resends += 1 }
                entries[index].sentAtMillis = nowMillis
                entries[index].attempts += 1
                payloads.append((entry.sequence, entry.payload))
            }
            index += 1
        }
        // Stopped at the limit: what was not looked at may be due already.
        mayHaveUnsent = index < entries.endIndex
        earliestDueMillis = earliest
        return (payloads, resends)
    }
}
