import FleetCore

/// The alert operations a batch of consumed events asks for, grouped so that every group can run as one set-based
/// statement with the result of applying the events one at a time.
///
/// Every operation concerns one dedup key, and operations on different keys are independent: they read and write only
/// that key's alerts. So the n-th operation on a key goes to round n. A round holds at most one operation per key, and
/// running the rounds in order keeps every key's operations in event order. Within one event, clearing operations
/// come before firing ones (as when events were applied singly). Within a round, operations keep event order, so the
/// outbox rows they write are created oldest event first.
struct EventBatchPlan: Sendable {
    /// One rule applied to one event.
    struct Operation: Sendable {
        enum Kind: Sendable, Equatable {
            /// Resolve the open alert with ``key`` (the event is one of the rule's clearing types).
            case clear
            /// Fire, de-duplicate or throttle an alert with ``key`` (the event matches the rule).
            case fire
        }

        var kind: Kind
        var rule: AlertRule
        var event: FleetEvent
        /// The rule's dedup key for the event.
        var key: String
    }

    /// Operations by round, each round with at most one operation per dedup key.
    private(set) var rounds: [[Operation]] = []
    /// The distinct dedup keys the batch touches.
    private(set) var keys: Set<String> = []

    /// Plans `events` (in consumption order) against `rules`.
    init(events: [FleetEvent], rules: [AlertRule]) {
        var seen: [String: Int] = [:]
        for event in events {
            for rule in rules where rule.clears(event) {
                add(Operation(kind: .clear, rule: rule, event: event, key: rule.dedupKey(for: event)), seen: &seen)
            }
            for rule in rules where rule.matches(event) {
                add(Operation(kind: .fire, rule: rule, event: event, key: rule.dedupKey(for: event)), seen: &seen)
            }
        }
    }

    /// Whether no rule matches or clears any event of the batch.
    var isEmpty: Bool { rounds.isEmpty }

    /// Number of operations in every round.
    var operationCount: Int { rounds.reduce(0) { $0 + $1.count } }

    private mutating func add(_ operation: Operation, seen: inout [String: Int]) {
        let round = seen[operation.key, default: 0]
        seen[operation.key] = round + 1
        if round == rounds.count { rounds.append([]) }
        rounds[round].append(operation)
        keys.insert(operation.key)
    }
}
