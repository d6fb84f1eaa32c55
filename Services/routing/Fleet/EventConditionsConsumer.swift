import FleetGeo
import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle

/// Reads fleet events (this service's shared-subscription group) and keeps each vehicle's fitness for planning:
/// breakdowns (`fault` with `breakdown=true` until `fault_cleared` of the same code), low battery, offline and
/// maintenance due. Conditions are stored, so a restart remembers a breakdown whose event will not come again.
/// Events are idempotent here (a repeated event sets what is already set).
struct EventConditionsConsumer: Service {
    let subscription: MQTTSubscription
    let fleet: FleetView
    let repository: any PlanRepository
    let replanning: WakeSignal
    let metrics: RoutingMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await consume() }
    }

    private func consume() async {
        for await message in subscription {
            let event: FleetEvent
            do {
                event = try FleetCodec.decode(FleetEvent.self, from: message.payload)
                try event.validate()
            } catch {
                metrics.rejected(stream: "events", reason: "malformed")
                logger.debug("Event refused", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
                continue
            }
            metrics.eventAccepted()
            guard let vehicle = event.vehicleID?.rawValue, let change = Self.change(for: event) else { continue }
            let (before, after) = fleet.updateConditions(vehicle, change)
            guard after != before else { continue }
            do {
                try await repository.saveConditions(after, vehicle: vehicle)
            } catch {
                metrics.storeFailures.increment("conditions")
                logger.error("Could not store vehicle conditions", metadata: ["vehicle.id": "\(vehicle)", "error": "\(error)"])
            }
            if after.openFaults.count > before.openFaults.count || (after.lowBattery && !before.lowBattery) {
                replanning.fire()
            }
        }
    }

    /// What `event` changes in a vehicle's conditions, if anything.
    static func change(for event: FleetEvent) -> ((inout VehicleConditions) -> Void)? {
        let code = event.attributes["code"] ?? "unknown"
        switch event.type {
        case .fault where event.attributes["breakdown"] == "true": return { $0.openFaults.insert(code) }
        case .faultCleared: return { $0.openFaults.remove(code) }
        case .lowBattery: return { $0.lowBattery = true }
        case .lowBatteryCleared: return { $0.lowBattery = false }
        case .offline: return { $0.offline = true }
        case .online: return { $0.offline = false }
        case .maintenanceDue:
            let at = event.timeMillis
            return { $0.maintenanceDueMillis = max($0.maintenanceDueMillis ?? 0, at) }
        default: return nil
        }
    }
}
