import CoreMetrics
import FleetService
import Foundation
import ServiceLifecycle
import Synchronization

/// Fans committed positions out to live-stream clients, coalesced per vehicle: a client gets at most
/// one update per vehicle per interval, however fast the vehicle reports, so a map can follow
/// thousands of vehicles. A slow client keeps only its newest frames (bounded memory).
actor LiveHub: Service {
    private struct Subscriber {
        var box: BoundingBox?
        var continuation: AsyncStream<[LivePosition]>.Continuation
    }

    private var subscribers: [UUID: Subscriber] = [:] {
        didSet { subscriberCount.store(subscribers.count, ordering: .relaxed) }
    }
    private nonisolated let subscriberCount = Atomic<Int>(0)
    private var pending: [String: LivePosition] = [:]
    private let interval: Duration
    private let metrics: IngestMetrics

    init(interval: Duration, metrics: IngestMetrics) {
        self.interval = interval
        self.metrics = metrics
    }

    /// Whether any client is connected; read without a hop onto the actor, so writers skip building
    /// positions nobody watches.
    nonisolated var hasSubscribers: Bool { subscriberCount.load(ordering: .relaxed) > 0 }

    /// Records the newest position of each vehicle for the next push.
    func publish(_ positions: [LivePosition]) {
        guard !subscribers.isEmpty else { return }
        for position in positions {
            if let existing = pending[position.vehicleId], existing.deviceTimeMs > position.deviceTimeMs { continue }
            pending[position.vehicleId] = position
        }
    }

    /// A stream of coalesced updates inside `box` (everything when nil); ends with ``unsubscribe(_:)`` or shutdown.
    func subscribe(box: BoundingBox?) -> (UUID, AsyncStream<[LivePosition]>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<[LivePosition]>.makeStream(bufferingPolicy: .bufferingNewest(8))
        subscribers[id] = Subscriber(box: box, continuation: continuation)
        metrics.liveClients.record(subscribers.count)
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.continuation.finish()
        metrics.liveClients.record(subscribers.count)
    }

    /// Sends what accumulated since the last push.
    func flush() {
        guard !pending.isEmpty else { return }
        let positions = Array(pending.values)
        pending.removeAll(keepingCapacity: true)
        for subscriber in subscribers.values {
            let visible = subscriber.box.map { box in positions.filter { box.contains(latitude: $0.lat, longitude: $0.lon) } } ?? positions
            if !visible.isEmpty { subscriber.continuation.yield(visible) }
        }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            flush()
        }
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
