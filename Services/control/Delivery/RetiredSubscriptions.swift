import FleetCore
import FleetMQTT
import FleetService
import Logging
import ServiceLifecycle

/// Removes from fleet-control's persistent MQTT session the subscriptions that earlier versions made and this one no
/// longer holds. The broker keeps a persistent session's subscriptions across restarts and goes on sending their
/// messages, which nothing here reads: `fleet/v1/vehicles/+/telemetry`, which fleet-control followed for positions
/// before fleet-tracking's position stream, would otherwise still arrive at the full telemetry rate.
struct RetiredSubscriptions: Service {
    /// Filters no version of fleet-control subscribes to any more.
    static let filters = [VehicleChannel.telemetry.filter]

    let mqtt: MQTTClient
    let logger: Logger

    func run() async throws {
        for filter in Self.filters {
            // Retried until connected; shutdown ends it.
            _ = try? await retryingUntilSuccess(onFailure: { attempt, error in
                if attempt == 5 { logger.warning("Cannot remove a retired subscription yet", metadata: ["filter": "\(filter)", "error": "\(error)"]) }
            }) {
                try await mqtt.waitUntilConnected(timeout: .seconds(30))
                try await mqtt.unsubscribe(filter: filter)
            }
        }
        // A service that returned would end the group: stay until shutdown.
        try? await gracefulShutdown()
    }
}
