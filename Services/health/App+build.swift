import CoreMetrics
import AsyncHTTPClient
import FleetCore
import FleetHealthRules
import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

typealias AppRequestContext = FleetRequestContext

/// Everything the service is made of, created but not yet running; tests build it the same way.
struct HealthComponents: Sendable {
    let postgres: PostgresClient
    let consumerClient: MQTTClient
    let publisherClient: MQTTClient
    let repository: PostgresHealthRepository
    let book: HealthBook
    let tags: TagDirectory
    let relay: OutboxRelay
    let sweep: HealthSweep
    let metrics: HealthMetrics
    let migrations: MigrationRunner
    let auth: FleetAuthentication
    let faultCodes: FaultCodeTable
    /// Clients, in start order (they stop last).
    let services: [any Service]
    /// The loops that need the schema and the seeded book: they start after ``prepare(logger:)``.
    let gatedServices: [any Service]

    /// Creates the clients (a persistent consumer session on the shared subscriptions, a clean publisher for the
    /// outbox), the book, the consumers and the sweeps; subscribes before the clients run. Nothing connects yet.
    init(runtime: FleetServiceRuntime, configuration: HealthConfiguration) async throws {
        let logger = runtime.logger
        metrics = HealthMetrics()
        faultCodes = try FaultCodeTable.bundled()
        postgres = runtime.makePostgresClient(searchPath: configuration.schema)
        repository = PostgresHealthRepository(client: postgres, schema: configuration.schema, faultCodes: faultCodes, metrics: metrics, logger: logger)
        migrations = try MigrationRunner(client: postgres, schema: configuration.schema, migrations: try Migration.bundled(in: .module), logger: logger)
        book = HealthBook(
            rules: HealthRules(
                thresholds: configuration.thresholds, faultCodes: faultCodes, detectsAnomalies: configuration.detectsAnomalies,
                prognostics: try Prognostics.bundled()))
        tags = TagDirectory()

        let mqtt = runtime.configuration.mqtt
        var consumerSettings = mqtt.clientConfiguration(metricsLabel: "health-consumer")
        if configuration.readBatch > .zero { consumerSettings.readBatchInterval = configuration.readBatch }
        consumerClient = try MQTTClient(configuration: consumerSettings, logger: logger)
        var publisherSettings = mqtt
        publisherSettings.clientID += "-pub"
        publisherClient = try MQTTClient(
            configuration: publisherSettings.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "health-publisher"),
            logger: logger)
        let telemetry = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: VehicleChannel.telemetry.filter),
            qos: configuration.telemetryQoS == 0 ? .atMostOnce : .atLeastOnce, bufferCapacity: configuration.consumerBuffer, overflow: .backPressure)
        let states = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: VehicleChannel.state.filter), qos: .atLeastOnce,
            bufferCapacity: 10_000, overflow: .backPressure)

        relay = OutboxRelay(outbox: repository.outbox, postgres: postgres, mqtt: publisherClient, owner: mqtt.clientID, logger: logger)
        let recorder = TransitionRecorder(repository: repository, book: book, tags: tags, relay: relay, metrics: metrics, logger: logger)
        let sweep = HealthSweep(repository: repository, book: book, recorder: recorder, configuration: configuration, metrics: metrics, logger: logger)
        self.sweep = sweep
        auth = runtime.makeAuthentication()

        var clients: [any Service] = [postgres, consumerClient, publisherClient]
        var loops: [any Service] = [
            relay,
            TelemetryHealthConsumer(
                subscription: telemetry, validator: configuration.validator, book: book, recorder: recorder, metrics: metrics,
                batchPause: configuration.batchPause, logger: logger),
            StateHealthConsumer(subscription: states, book: book, recorder: recorder, metrics: metrics, logger: logger),
            PeriodicService(name: "health sweep", interval: configuration.sweepInterval, logger: logger) { try await sweep.run() },
            PeriodicService(name: "health statistics", interval: .seconds(15), logger: logger) { try await sweep.refreshStatistics() },
        ]
        if let url = configuration.registryURL, let token = configuration.registryToken {
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(10))))
            clients.append(HTTPClientService(client: http))
            let registry = RegistrySync(baseURL: url, token: token, client: http, directory: tags, logger: logger)
            loops.append(PeriodicService(name: "registry tags", interval: configuration.registryInterval, logger: logger) { try await registry.refresh() })
        } else {
            logger.notice("FLEET_HEALTH_REGISTRY_URL/_TOKEN unset: events carry no vehicle tags")
        }
        services = clients
        gatedServices = loops
    }

    /// Before traffic and the stream: migrations, then the recorded conditions into the book.
    func prepare(configuration: HealthConfiguration, logger: Logger) async throws {
        try await migrations.migrate()
        let active = try await repository.loadActive()
        book.seed(active)
        metrics.vehicles.record(book.count)
        logger.info("Health schema ready", metadata: ["schema": "\(configuration.schema)", "vehicles.with_conditions": "\(active.count)"])
    }
}

/// The router: Fleet's standard endpoints plus `/v1/...` behind bearer-token authentication.
func buildRouter(runtime: FleetServiceRuntime, configuration: HealthConfiguration, components c: HealthComponents) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(
        context: AppRequestContext.self,
        readinessChecks: [.postgres(c.postgres), .mqtt(c.consumerClient), .mqtt(c.publisherClient, name: "mqtt-publisher")])
    let v1 = router.group("v1").add(middleware: c.auth.middleware(realm: "fleet-health", context: AppRequestContext.self))
    HealthController(
        repository: c.repository, faultCodes: c.faultCodes, thresholds: configuration.thresholds, statsWindowDays: configuration.statsWindowDays
    ).addRoutes(to: v1)
    HealthReportController(repository: c.repository, faultCodes: c.faultCodes, thresholds: configuration.thresholds).addRoutes(to: v1)
    return router
}

/// fleet-health: PostgreSQL and the MQTT clients, then (after migrations and seeding) the outbox relay, the consumers
/// and the sweeps, and the HTTP server, in one service group.
func buildApplication(runtime: FleetServiceRuntime, configuration: HealthConfiguration) async throws -> some ApplicationProtocol {
    let components = try await HealthComponents(runtime: runtime, configuration: configuration)
    let router = buildRouter(runtime: runtime, configuration: configuration, components: components)
    let logger = runtime.logger
    return runtime.makeApplication(router: router, services: components.services, gatedServices: components.gatedServices) {
        try await components.prepare(configuration: configuration, logger: logger)
    }
}
