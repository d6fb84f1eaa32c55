import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

typealias AppRequestContext = FleetRequestContext

/// Everything the application is made of, created but not yet running; tests build it the same way.
struct ControlComponents: Sendable {
    let postgres: PostgresClient
    let mqtt: MQTTClient
    let tokens: PostgresTokenRepository
    let commands: PostgresCommandRepository
    let vehicles: CachedVehicleRepository<PostgresVehicleRepository>
    let audit: PostgresAuditRepository
    let notifier: CommandNotifier
    let positions: PositionCache
    let metrics: ControlMetrics
    let delivery: CommandDelivery
    let migrations: MigrationRunner
    /// Suite tokens from this service's own table; external providers' JWTs by their keys.
    let auth: FleetAuthentication
    let credentials: PostgresCredentialRepository
    /// The broker's dynamic-security plugin, when a provisioner account is configured.
    let dynamicSecurity: DynamicSecurityClient?
    /// Clients, in start order (they stop last).
    let services: [any Service]
    /// The loops that need the schema: they start after ``prepare()``.
    let gatedServices: [any Service]

    /// Creates the clients, repositories and delivery services and subscribes (before the MQTT client runs, so the
    /// persistent session keeps the subscriptions and queues acknowledgements while the service is down).
    init(runtime: FleetServiceRuntime, configuration: ControlConfiguration) async throws {
        let logger = runtime.logger
        // The schema is the search path: the repositories' prepared statements use unqualified names.
        postgres = runtime.makePostgresClient(searchPath: configuration.schema)
        mqtt = try MQTTClient(
            configuration: runtime.configuration.mqtt.clientConfiguration(cleanStart: false, metricsLabel: "fleet-control"),
            logger: logger)
        let acks = try await mqtt.subscribe(to: VehicleChannel.commandAcks.filter, qos: .atLeastOnce, bufferCapacity: 10_000, overflow: .backPressure)
        let states = try await mqtt.subscribe(to: VehicleChannel.state.filter, qos: .atLeastOnce, bufferCapacity: 10_000, overflow: .backPressure)
        let telemetry =
            configuration.trackPositions
            ? try await mqtt.subscribe(to: FleetTopics.allPositions, qos: .atLeastOnce, bufferCapacity: 1_000, overflow: .dropNewest)
            : nil
        let schema = configuration.schema
        tokens = PostgresTokenRepository(client: postgres, schema: schema, logger: logger)
        commands = PostgresCommandRepository(client: postgres, schema: schema, logger: logger)
        vehicles = CachedVehicleRepository(PostgresVehicleRepository(client: postgres, schema: schema, logger: logger))
        audit = PostgresAuditRepository(client: postgres, schema: schema, logger: logger)
        notifier = CommandNotifier()
        positions = PositionCache()
        metrics = ControlMetrics()
        delivery = CommandDelivery(mqtt: mqtt, commands: commands, metrics: metrics, logger: logger)
        migrations = try MigrationRunner(client: postgres, schema: schema, migrations: try Migration.bundled(in: .module), logger: logger)
        auth = runtime.makeAuthentication(suite: RepositoryAuthenticator(tokens: tokens))
        credentials = PostgresCredentialRepository(client: postgres, schema: schema, tokens: tokens, logger: logger)
        var provisioningClients: [any Service] = []
        if let username = configuration.provisionerUsername, let password = configuration.provisionerPassword {
            var settings = runtime.configuration.mqtt
            settings.username = username
            settings.password = password
            settings.clientID += "-provisioner"
            let client = try MQTTClient(
                configuration: settings.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "fleet-control-provisioner"),
                logger: logger)
            let answers = try await client.subscribe(to: DynamicSecurityClient.responseTopic, qos: .atLeastOnce, bufferCapacity: 1_000, overflow: .backPressure)
            let dynamicSecurity = DynamicSecurityClient(mqtt: client, subscription: answers, logger: logger)
            self.dynamicSecurity = dynamicSecurity
            provisioningClients = [client, DynamicSecurityClient.ResponseLoop(client: dynamicSecurity)]
        } else {
            dynamicSecurity = nil
        }

        let recorder = AnswerRecorder(commands: commands, notifier: notifier, metrics: metrics, logger: logger)
        services = [postgres, mqtt] + provisioningClients
        var loops: [any Service] = [
            NewCommandPublisher(delivery: delivery),
            DeliveryScanner(delivery: delivery, notifier: notifier, configuration: configuration, logger: logger),
            AcknowledgementConsumer(subscription: acks, recorder: recorder),
            LaterAnswerWriter(recorder: recorder),
            VehicleStateConsumer(subscription: states, vehicles: vehicles, delivery: delivery, logger: logger),
            RetiredSubscriptions(mqtt: mqtt, logger: logger),
        ]
        if let telemetry { loops.append(PositionConsumer(subscription: telemetry, positions: positions, metrics: metrics)) }
        gatedServices = loops
    }

    /// Before traffic: migrations, the search-path check, the bootstrap admin token.
    func prepare(configuration: ControlConfiguration, logger: Logger) async throws {
        try await migrations.migrate()
        try await commands.checkSearchPath()
        if let adminToken = configuration.adminToken {
            let limit = RateLimit(perSecond: configuration.adminTokenRateLimit, burst: 2 * configuration.adminTokenRateLimit)
            try await tokens.upsertBootstrapAdmin(hash: TokenSecret.hash(adminToken), rateLimit: limit)
            logger.info("Bootstrap admin token from FLEET_CONTROL_ADMIN_TOKEN is active", metadata: ["token.id": "\(PostgresTokenRepository.bootstrapID)"])
        }
    }
}

/// The router: Fleet's standard endpoints plus `/v1/...` behind bearer-token authentication.
func buildRouter(runtime: FleetServiceRuntime, configuration: ControlConfiguration, components c: ControlComponents) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(context: AppRequestContext.self, readinessChecks: [.postgres(c.postgres), .mqtt(c.mqtt)])
    IntrospectionController(authenticator: c.auth.authenticator).addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: c.auth.middleware(realm: "fleet-control", context: AppRequestContext.self))
    let delivery = c.delivery
    CommandController(
        commands: c.commands, vehicles: c.vehicles, positions: c.positions, notifier: c.notifier, configuration: configuration,
        deliver: { delivery.deliver($0) }, metrics: c.metrics
    ).addRoutes(to: v1)
    VehicleController(vehicles: c.vehicles, positions: c.positions).addRoutes(to: v1)
    TokenController(tokens: c.tokens).addRoutes(to: v1)
    CredentialController(
        credentials: c.credentials, broker: c.dynamicSecurity, brokerHost: runtime.configuration.mqtt.host, brokerPort: runtime.configuration.mqtt.port
    ).addRoutes(to: v1)
    AuditController<PostgresAuditRepository, AppRequestContext>(audit: c.audit).addRoutes(to: v1)
    ReportDataController(commands: c.commands).addRoutes(to: v1)
    return router
}

/// fleet-control: PostgreSQL and MQTT, then (after migrations and the bootstrap token) the delivery loops, and the
/// HTTP server, in one service group.
func buildApplication(runtime: FleetServiceRuntime, configuration: ControlConfiguration) async throws -> some ApplicationProtocol {
    let components = try await ControlComponents(runtime: runtime, configuration: configuration)
    let router = buildRouter(runtime: runtime, configuration: configuration, components: components)
    let logger = runtime.logger
    return runtime.makeApplication(router: router, services: components.services, gatedServices: components.gatedServices) {
        try await components.prepare(configuration: configuration, logger: logger)
    }
}
