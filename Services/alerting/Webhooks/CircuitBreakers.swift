import Foundation

/// One circuit breaker per webhook endpoint, local to this replica.
///
/// `closed` → (``threshold`` consecutive failures) → `open` for ``cooldown`` → `halfOpen`: one probe
/// delivery is sent; success closes the circuit, failure opens it again.
actor CircuitBreakers {
    enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probing: Bool)
    }

    let threshold: Int
    let cooldown: Duration
    private var states: [String: State] = [:]
    private let clock = ContinuousClock()

    init(threshold: Int, cooldown: Duration) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// Endpoints whose circuit is open now (their deliveries are not claimed).
    func openEndpoints() -> [String] {
        let now = clock.now
        var result: [String] = []
        for (id, state) in states {
            switch state {
            case .open(let until):
                if until > now { result.append(id) } else { states[id] = .halfOpen(probing: false) }
            case .halfOpen(let probing):
                if probing { result.append(id) }
            case .closed:
                break
            }
        }
        return result
    }

    /// Whether a delivery to `endpoint` may be sent now; in half-open state only the first caller (the probe) may.
    func permit(_ endpoint: String) -> Bool {
        switch states[endpoint] ?? .closed(failures: 0) {
        case .closed:
            return true
        case .open(let until):
            guard until <= clock.now else { return false }
            states[endpoint] = .halfOpen(probing: true)
            return true
        case .halfOpen(let probing):
            if probing { return false }
            states[endpoint] = .halfOpen(probing: true)
            return true
        }
    }

    /// Records a success: the circuit closes. Returns `true` if it was not closed (the endpoint just recovered).
    @discardableResult
    func recordSuccess(_ endpoint: String) -> Bool {
        let recovered: Bool
        switch states[endpoint] {
        case .open?, .halfOpen?: recovered = true
        case .closed?, nil: recovered = false
        }
        states[endpoint] = nil
        return recovered
    }

    /// Records a failure; returns `true` if the circuit (re)opened.
    @discardableResult
    func recordFailure(_ endpoint: String) -> Bool {
        switch states[endpoint] ?? .closed(failures: 0) {
        case .closed(let failures):
            if failures + 1 >= threshold {
                states[endpoint] = .open(until: clock.now + cooldown)
                return true
            }
            states[endpoint] = .closed(failures: failures + 1)
            return false
        case .open, .halfOpen:
            states[endpoint] = .open(until: clock.now + cooldown)
            return true
        }
    }

    /// Number of endpoints whose circuit is not closed.
    func openCount() -> Int {
        states.values.filter { if case .closed = $0 { false } else { true } }.count
    }
}
