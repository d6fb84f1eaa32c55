import FleetGeo
import CoreMetrics
import FleetCore
import FleetService
import FleetTraffic
import Foundation
import Logging

/// Turns detector events into stored jams and `traffic_jam` / `traffic_cleared` fleet events (same transaction, so
/// each event reaches the broker at least once, with the same id, and a jam is started or cleared once).
struct JamRecorder: Sendable {
    let repository: any PlanRepository
    let relay: OutboxRelay
    let metrics: RoutingMetrics
    let logger: Logger

    func record(_ events: [JamEvent]) async {
        for event in events {
            do {
                try await record(event)
            } catch {
                metrics.storeFailures.increment("jam")
                logger.error("Could not record a jam", metadata: ["edge": "\(event.segment)", "error": "\(error)"])
            }
        }
    }

    private func record(_ event: JamEvent) async throws {
        let millis = Int64(event.atSeconds * 1_000)
        var attributes: [String: String] = [
            "edge": "\(event.segment)",
            "speed_kmh": String(format: "%.1f", event.observedSpeed * 3.6),
            "free_flow_kmh": String(format: "%.1f", event.freeFlowSpeed * 3.6),
            "since_ms": "\(Int64(event.sinceSeconds * 1_000))",
        ]
        if let road = event.roadName { attributes["road"] = String(road.prefix(FleetLimits.maxAttributeValueLength)) }
        if let coordinate = event.coordinate {
            attributes["lat"] = String(format: "%.6f", coordinate.latitude)
            attributes["lon"] = String(format: "%.6f", coordinate.longitude)
        }
        switch event.kind {
        case .started:
            let fleetEvent = FleetEvent(
                id: MessageID(UUID()), type: .trafficJam, severity: .warning, timeMillis: millis, attributes: attributes)
            let jam = JamRecord(
                id: UUID(), edge: event.segment, road: event.roadName, lat: event.coordinate?.latitude,
                lon: event.coordinate?.longitude, speedKmh: event.observedSpeed * 3.6, freeFlowKmh: event.freeFlowSpeed * 3.6,
                startedAtMillis: Int64(event.sinceSeconds * 1_000))
            if try await repository.startJam(jam, event: try OutboxMessage(event: fleetEvent)) {
                metrics.jamEvents.increment("traffic_jam")
                relay.notify()
                logger.info("Traffic jam", metadata: ["edge": "\(event.segment)", "road": "\(event.roadName ?? "")"])
            }
        case .cleared:
            let reason = event.clearReason?.rawValue ?? "recovered"
            attributes["reason"] = reason
            let fleetEvent = FleetEvent(
                id: MessageID(UUID()), type: .trafficCleared, severity: .info, timeMillis: millis, attributes: attributes)
            if try await repository.clearJam(
                edge: event.segment, atMillis: millis, reason: reason, event: try OutboxMessage(event: fleetEvent))
            {
                metrics.jamEvents.increment("traffic_cleared")
                relay.notify()
                logger.info("Traffic jam cleared", metadata: ["edge": "\(event.segment)", "reason": "\(reason)"])
            }
        }
    }
}
