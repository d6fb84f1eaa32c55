import FleetCore
import FleetMQTT
import FleetService
import Logging
import ServiceLifecycle

/// Follows the vehicles' retained `…/state` to keep the vehicle table current, on ordered lanes (one vehicle's states
/// in order, vehicles in parallel); a vehicle coming online gets its waiting commands now.
struct VehicleStateConsumer: Service {
    let subscription: MQTTSubscription
    let vehicles: any VehicleRepository
    let delivery: CommandDelivery
    let logger: Logger

    private var metrics: ControlMetrics { delivery.metrics }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await OrderedLanes.run(subscription, key: { $0.topic }) { message in await handle(message) }
        }
    }

    func handle(_ message: MQTTMessage) async {
        guard case .vehicle(let topicVehicle, .state)? = FleetTopic(message.topic) else {
            metrics.invalidMessage(stream: "state", reason: "topic")
            return
        }
        guard !message.payload.isEmpty else { return }  // a cleared retained state
        let state: VehicleState
        do {
            state = try FleetCodec.decode(VehicleState.self, from: message.payload)
        } catch {
            metrics.invalidMessage(stream: "state", reason: "decode")
            logger.warning("Undecodable vehicle state", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return
        }
        guard state.vehicleID == topicVehicle else {
            metrics.invalidMessage(stream: "state", reason: "vehicle_mismatch")
            return
        }
        do {
            let previous = try await vehicles.upsert(state)
            if state.connectivity == .online, previous != .online, try await delivery.commands.resendNow(vehicle: state.vehicleID.rawValue) > 0 {
                delivery.scan.fire()
            }
        } catch {
            metrics.invalidMessage(stream: "state", reason: "storage")
            logger.error("Storing a vehicle state failed", metadata: ["vehicle.id": "\(state.vehicleID)", "error": "\(String(reflecting: error))"])
        }
    }
}
