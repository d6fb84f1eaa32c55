import Foundation

/// The latest values of Mosquitto's `$SYS/broker/…` topics, as Prometheus metrics.
///
/// Mosquitto publishes a `$SYS` value only when it changed since the last `sys_interval`, so the last value seen is
/// the current one; values not heard of yet are 0 (what the broker would report). `fleet_broker_up` is 1 while some
/// `$SYS` update arrived within ``staleAfter`` (the uptime changes every interval, so a live broker always speaks).
struct BrokerStats: Sendable {
    /// One exported metric and the `$SYS` topics (after `$SYS/broker/`) it is read from; the first one present wins.
    struct Metric: Sendable {
        var name: String
        var type: String
        var help: String
        var topics: [String]
    }

    /// Every metric the exporter serves besides `fleet_broker_up` and `fleet_broker_last_update_age_seconds`.
    static let metrics: [Metric] = [
        Metric(name: "fleet_broker_clients_connected", type: "gauge", help: "Clients connected now.", topics: ["clients/connected"]),
        Metric(
            name: "fleet_broker_clients_disconnected", type: "gauge",
            help: "Persistent sessions whose client is disconnected (their QoS 1/2 messages are queued).",
            topics: ["clients/disconnected"]),
        Metric(
            name: "fleet_broker_messages_stored", type: "gauge",
            help: "Messages held in the broker's store: retained plus queued for offline or slow sessions (the backlog).",
            topics: ["store/messages/count", "messages/stored"]),
        Metric(name: "fleet_broker_store_bytes", type: "gauge", help: "Payload bytes held in the broker's store.", topics: ["store/messages/bytes"]),
        Metric(
            name: "fleet_broker_messages_received_total", type: "counter", help: "MQTT packets of any kind received since the broker started.",
            topics: ["messages/received"]),
        Metric(
            name: "fleet_broker_messages_sent_total", type: "counter", help: "MQTT packets of any kind sent since the broker started.",
            topics: ["messages/sent"]),
        Metric(
            name: "fleet_broker_publish_received_total", type: "counter", help: "PUBLISH packets received since the broker started.",
            topics: ["publish/messages/received"]),
        Metric(
            name: "fleet_broker_publish_sent_total", type: "counter", help: "PUBLISH packets sent since the broker started.",
            topics: ["publish/messages/sent"]),
        Metric(
            name: "fleet_broker_publish_dropped_total", type: "counter",
            help: "PUBLISH packets the broker dropped (queue limits, offline sessions) since it started.",
            topics: ["publish/messages/dropped"]),
        Metric(name: "fleet_broker_subscriptions", type: "gauge", help: "Active subscriptions.", topics: ["subscriptions/count"]),
        Metric(name: "fleet_broker_retained_messages", type: "gauge", help: "Retained messages.", topics: ["retained messages/count"]),
        Metric(name: "fleet_broker_heap_bytes", type: "gauge", help: "Heap the broker has allocated.", topics: ["heap/current"]),
        Metric(name: "fleet_broker_uptime_seconds", type: "gauge", help: "Seconds since the broker started.", topics: ["uptime"]),
    ]

    /// After this long without a `$SYS` update the broker counts as down.
    var staleAfter: TimeInterval
    private var values: [String: Double] = [:]
    private var lastUpdate: Date?
    /// Updates whose value was not a number (ignored).
    private(set) var unparsable = 0

    init(staleAfter: TimeInterval) {
        self.staleAfter = staleAfter
    }

    /// Records one `$SYS` message; returns whether it was a value this exporter serves.
    @discardableResult
    mutating func record(topic: String, payload: String, at time: Date) -> Bool {
        guard topic.hasPrefix("$SYS/") else { return false }
        lastUpdate = time
        let prefix = "$SYS/broker/"
        guard topic.hasPrefix(prefix) else { return false }
        let key = String(topic.dropFirst(prefix.count))
        guard Self.servedTopics.contains(key) else { return false }
        // "123 seconds" for the uptime, a plain number otherwise.
        guard let number = payload.split(separator: " ").first.flatMap({ Double($0) }), number.isFinite else {
            unparsable += 1
            return false
        }
        values[key] = number
        return true
    }

    /// Whether an update arrived within ``staleAfter`` of `now`.
    func isUp(at now: Date) -> Bool {
        guard let lastUpdate else { return false }
        return now.timeIntervalSince(lastUpdate) <= staleAfter
    }

    /// The text exposition format (0.0.4).
    func exposition(at now: Date) -> String {
        var text = ""
        func emit(_ name: String, _ type: String, _ help: String, _ value: Double) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(Self.format(value))\n"
        }
        emit("fleet_broker_up", "gauge", "1 while the broker's $SYS updates arrive, else 0.", isUp(at: now) ? 1 : 0)
        emit(
            "fleet_broker_last_update_age_seconds", "gauge", "Seconds since the last $SYS update (-1: none yet).",
            lastUpdate.map { max(0, now.timeIntervalSince($0)) } ?? -1)
        emit("fleet_broker_sys_unparsable_total", "counter", "$SYS updates whose value was not a number.", Double(unparsable))
        for metric in Self.metrics {
            let value = metric.topics.lazy.compactMap { values[$0] }.first ?? 0
            emit(metric.name, metric.type, metric.help, value)
        }
        return text
    }

    private static let servedTopics = Set(metrics.flatMap(\.topics))

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
