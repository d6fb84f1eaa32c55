import FleetCore

/// `GET /v1/fleet/summary` from a cache with a stated staleness: the summary counts every vehicle row (about 130 ms at
/// 48,000 vehicles), so it is computed at most once per `maxAgeMillis` however many dashboards ask, and concurrent
/// callers share one computation. The answer's `generated_at` says when it was computed.
actor SummaryCache {
    let maxAgeMillis: Int64
    private var cached: (summary: FleetSummary, atMillis: Int64)?
    private var inFlight: Task<FleetSummary, any Error>?

    init(maxAgeMillis: Int64) {
        self.maxAgeMillis = maxAgeMillis
    }

    /// The cached summary if it is at most `maxAgeMillis` old, otherwise a fresh one from `compute`.
    func summary(nowMillis: Int64, compute: @escaping @Sendable (Int64) async throws -> FleetSummary) async throws -> FleetSummary {
        if let cached, nowMillis - cached.atMillis <= maxAgeMillis, nowMillis >= cached.atMillis { return cached.summary }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await compute(nowMillis) }
        inFlight = task
        defer { inFlight = nil }
        let summary = try await task.value
        cached = (summary, nowMillis)
        return summary
    }
}
