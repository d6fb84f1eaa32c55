import FleetMQTT
import FleetService
import FleetSimulation
import Hummingbird
import Logging

/// The name the simulator reports (logger label, MQTT client id prefix, HTTP `Server` header).
let simulatorServiceName = "fleet-sim"
/// The HTTP port the simulator listens on when `FLEET_HTTP_PORT` is unset.
let simulatorDefaultHTTPPort = 8089

/// The simulator process: an MQTT client, the simulation service and an HTTP server with `/metrics`,
/// `/health/live` and `/health/ready` (ready while connected to the broker and simulating). No PostgreSQL.
///
/// `run`, `replay` and `agent` all go through here; tests call it with their own runtime and model.
func buildApplication<Model: FleetModel>(
    runtime: FleetServiceRuntime,
    model: Model,
    configuration: GatewayConfiguration,
    filters: SubscriptionFilters = .allVehicles
) throws -> (
    application: Application<RouterResponder<BasicRequestContext>>, simulator: SimulatorService<Model>,
    routes: [String]
) {
    let client = try MQTTClient(
        configuration: runtime.configuration.mqtt.clientConfiguration(
            cleanStart: true, sessionExpirySeconds: 0, metricsLabel: simulatorServiceName),
        logger: runtime.logger
    )
    let gateway = SimulationGateway(model: model, configuration: configuration, logger: runtime.logger)
    let simulator = SimulatorService(gateway: gateway, client: client, filters: filters, logger: runtime.logger)
    let router = runtime.makeRouter(readinessChecks: [
        .mqtt(client),
        ReadinessCheck("simulation") { simulator.isRunning },
    ])
    let routes = router.routes.map { "\($0.method.rawValue) \($0.path)" }
    let application = runtime.makeApplication(router: router, services: [client, simulator])
    return (application, simulator, routes)
}
