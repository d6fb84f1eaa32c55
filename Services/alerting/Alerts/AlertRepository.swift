import FleetCore

/// What processing events did.
struct EventOutcome: Sendable, Equatable {
    var fired = 0
    var deduplicated = 0
    var throttled = 0
    var resolved = 0
    /// Webhook deliveries written to the outbox (alert and report messages).
    var deliveries = 0
    /// The part of ``deliveries`` that are `report.ready` messages.
    var reportMessages = 0
    /// Events dropped because their id was applied before (a republished event).
    var duplicates = 0

    /// Adds the counts of `other`.
    mutating func add(_ other: EventOutcome) {
        fired += other.fired
        deduplicated += other.deduplicated
        throttled += other.throttled
        resolved += other.resolved
        deliveries += other.deliveries
        reportMessages += other.reportMessages
        duplicates += other.duplicates
    }
}

/// The result of an acknowledge or resolve request.
enum AlertTransition: Sendable {
    /// The alert changed; `deliveries` webhook messages were queued.
    case changed(AlertResource, deliveries: Int)
    /// The alert already was in the requested state (idempotent repeat).
    case unchanged(AlertResource)
    /// The transition is not allowed from the alert's state.
    case conflict(String)
    /// No alert has that id.
    case notFound
}

/// Filters of `GET /v1/alerts`.
struct AlertFilter: Sendable {
    var status: AlertStatus?
    var severity: Severity?
    var vehicleID: String?
    var ruleID: String?
    /// Only alerts changed after this time, oldest change first (for tailing).
    var updatedAfter: Date?
    var limit = 100
}

/// Persistence of alerts and their lifecycle; every change writes its webhook messages in the same transaction.
protocol AlertRepository: Sendable {
    /// Applies `rules` to `events` (in order) atomically: fires, de-duplicates, throttles and auto-resolves alerts with
    /// the same result as applying the events one at a time; on failure nothing of the batch is applied. An event whose
    /// id was applied before (or earlier in the batch) is dropped (``EventOutcome/duplicates``).
    ///
    /// `report_ready` events are not alerts: no rule sees them. Each becomes one `report.ready` message for every
    /// enabled webhook that takes it, in the same transaction (``EventOutcome/reportMessages``).
    func apply(_ events: [FleetEvent], rules: [AlertRule]) async throws -> EventOutcome
    /// Alerts matching `filter`, most recently changed first (oldest first with `updatedAfter`).
    func list(_ filter: AlertFilter) async throws -> [AlertResource]
    /// One alert.
    func alert(id: String) async throws -> AlertResource?
    /// firing → acknowledged.
    func acknowledge(id: String, by actor: String?) async throws -> AlertTransition
    /// firing | acknowledged → resolved.
    func resolve(id: String, by actor: String?) async throws -> AlertTransition
    /// Escalates alerts still firing past their escalation time; returns them.
    func escalateDue(limit: Int) async throws -> [AlertResource]
    /// Forgets applied event ids older than `seconds`; returns how many.
    func pruneSeenEvents(olderThanSeconds seconds: Int) async throws -> Int
}

import Foundation
