/// Work that must finish once before ingest and HTTP start (migrations, today's partitions);
/// every caller awaits the same attempt, and a failed attempt is retried by the next caller.
actor Preparation {
    private let work: @Sendable () async throws -> Void
    private var attempt: Task<Void, any Error>?
    private var done = false

    init(_ work: @escaping @Sendable () async throws -> Void) {
        self.work = work
    }

    func run() async throws {
        if done { return }
        if attempt == nil { attempt = Task { try await work() } }
        do {
            try await attempt!.value
            done = true
        } catch {
            attempt = nil
            throw error
        }
    }
}
