import CoreMetrics
import Metrics

/// Counters and gauges of one client, labelled only by the bounded ``MQTTConfiguration/metricsLabel``.
struct MQTTMetrics: Sendable {
    let published: Counter
    let acknowledged: Counter
    let publishFailures: Counter
    let received: Counter
    let dropped: Counter
    let reconnects: Counter
    let connected: Gauge
    let outstanding: Gauge

    init(label: String) {
        let dimensions = [("client", label)]
        published = Counter(label: "fleet_mqtt_messages_published_total", dimensions: dimensions)
        acknowledged = Counter(label: "fleet_mqtt_messages_acknowledged_total", dimensions: dimensions)
        publishFailures = Counter(label: "fleet_mqtt_publish_failures_total", dimensions: dimensions)
        received = Counter(label: "fleet_mqtt_messages_received_total", dimensions: dimensions)
        dropped = Counter(label: "fleet_mqtt_messages_dropped_total", dimensions: dimensions)
        reconnects = Counter(label: "fleet_mqtt_reconnects_total", dimensions: dimensions)
        connected = Gauge(label: "fleet_mqtt_connected", dimensions: dimensions)
        outstanding = Gauge(label: "fleet_mqtt_publishes_outstanding", dimensions: dimensions)
    }
}
