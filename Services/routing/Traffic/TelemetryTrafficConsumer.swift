import CoreMetrics
import FleetCore
import FleetGeo
import FleetMQTT
import FleetService
import FleetTraffic
import Foundation
import Logging
import ServiceLifecycle

/// Reads the raw telemetry stream (this service's shared-subscription group), refuses what tracking refuses through
/// the same FleetCore validator (counted by reason; never crashing nor touching any vehicle's state), and feeds the
/// rest to the fleet view (positions) and the traffic model (speeds and jams).
struct TelemetryTrafficConsumer: Service {
    let subscription: MQTTSubscription
    let validator: TelemetryValidator
    let fleet: FleetView
    let traffic: TrafficLayer
    let jams: JamRecorder
    let progress: ProgressTracker
    let metrics: RoutingMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await consume() }
    }

    private func consume() async {
        var sampled = 0
        for await message in subscription {
            let now = TimestampPolicy.millis(from: .now)
            switch validator.validate(message, nowMillis: now) {
            case .accepted(let telemetry):
                metrics.telemetryAccepted()
                fleet.record(
                    telemetry.vehicleID.rawValue,
                    position: GeoCoordinate(latitude: telemetry.position.latitude, longitude: telemetry.position.longitude),
                    millis: telemetry.deviceTimeMillis)
                let update = traffic.observe(telemetry)
                metrics.trafficSample(update.disposition)
                if let event = update.jamEvent { await jams.record([event]) }
                await progress.observe(telemetry)
            case .rejected(let reason, let detail, let vehicle):
                metrics.rejected(stream: "telemetry", reason: reason.rawValue)
                logger.debug("Telemetry refused", metadata: ["reason": "\(reason.rawValue)", "detail": "\(detail)", "vehicle.id": "\(vehicle ?? "")"])
            }
            sampled += 1
            if sampled & 1023 == 0 { metrics.vehicles.record(fleet.vehicleCount) }
        }
    }
}
