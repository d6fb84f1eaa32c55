import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import Logging
import PostgresNIO

typealias AppRequestContext = ControlRequestContext

/// Everything the application is made of; tests build it the same way.
struct ControlComponents: Sendable {
    let postgres: PostgresClient
    let mqtt: MQTTClient
    let tokens: PostgresTokenRepository
    let commands: PostgresCommandRepository
    let vehicles: CachedVehicleRepository<PostgresVehicleRepository>
    let audit: PostgresAuditRepository
    let notifier: CommandNotifier
    let positions: PositionCache
    let gate: StartupGate
    let dispatcher: CommandDispatcher
    let migrations: MigrationRunner

    /// Creates the clients, repositories and dispatcher and subscribes (before the MQTT client runs, so the
    /// persistent session keeps the subscriptions). Nothing connects yet.
    init(runtime: FleetServiceRuntime, control: ControlConfiguration) async throws {
        let logger = runtime.logger
        // The schema is the search path: the repositories' prepared statements use unqualified names.
        postgres = runtime.makePostgresClient(searchPath: control.schema)
        mqtt = try MQTTClient(
            configuration: runtime.configuration.mqtt.clientConfiguration(
                cleanStart: false, metricsLabel: "fleet-control"),
            logger: logger)
        let subscriptions = try await CommandDispatcher.subscribe(mqtt, trackPositions: control.trackPositions)
        tokens = PostgresTokenRepository(client: postgres, schema: control.schema, logger: logger)
        commands = PostgresCommandRepository(client: postgres, schema: control.schema, logger: logger)
        vehicles = CachedVehicleRepository(PostgresVehicleRepository(client: postgres, schema: control.schema, logger: logger))
        audit = PostgresAuditRepository(client: postgres, schema: control.schema, logger: logger)
        notifier = CommandNotifier()
        positions = PositionCache()
        gate = StartupGate()
        dispatcher = CommandDispatcher(
            mqtt: mqtt, subscriptions: subscriptions, commands: commands, vehicles: vehicles, notifier: notifier,
            positions: positions, gate: gate, configuration: control, logger: logger
        )
        migrations = try MigrationRunner(client: postgres, schema: control.schema, migrations: try Self.migrations(schema: control.schema), logger: logger)
    }

    /// The SQL migrations shipped with the service, for `schema`.
    static func migrations(schema: String) throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.invalidFileName("Migrations resource directory is missing from the bundle")
        }
        return try Migration.load(from: directory).map {
            Migration(version: $0.version, name: $0.name, sql: $0.sql.replacingOccurrences(of: "__SCHEMA__", with: schema))
        }
    }
}

/// The router: Fleet's standard endpoints plus `/v1/...` behind bearer-token authentication.
func buildRouter(runtime: FleetServiceRuntime, control: ControlConfiguration, components c: ControlComponents) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(context: AppRequestContext.self, readinessChecks: [.postgres(c.postgres), .mqtt(c.mqtt)])
    let v1 = router.group("v1")
        .add(middleware: AuthMiddleware(tokens: c.tokens, limiter: RateLimiter(ratePerSecond: control.rateLimitPerSecond, burst: control.rateLimitBurst)))
    let dispatcher = c.dispatcher
    CommandController(
        commands: c.commands, vehicles: c.vehicles, positions: c.positions, notifier: c.notifier, configuration: control,
        deliver: { dispatcher.deliver($0) }
    ).addRoutes(to: v1)
    VehicleController(vehicles: c.vehicles, positions: c.positions).addRoutes(to: v1)
    TokenController(tokens: c.tokens).addRoutes(to: v1)
    AuditController(audit: c.audit).addRoutes(to: v1)
    return router
}

/// fleet-control: migrations and the bootstrap admin token before the server starts, then PostgreSQL, MQTT,
/// the dispatcher and the HTTP server in one service group.
func buildApplication(runtime: FleetServiceRuntime, control: ControlConfiguration) async throws -> some ApplicationProtocol {
    let components = try await ControlComponents(runtime: runtime, control: control)
    let router = buildRouter(runtime: runtime, control: control, components: components)
    var app = runtime.makeApplication(router: router, services: [components.postgres, components.mqtt, components.dispatcher])
    let logger = runtime.logger
    app.beforeServerStarts {
        try await components.migrations.migrate()
        try await components.commands.checkSearchPath()
        if let adminToken = control.adminToken {
            try await components.tokens.upsertBootstrapAdmin(hash: TokenSecret.hash(adminToken))
            logger.info("Bootstrap admin token from FLEET_CONTROL_ADMIN_TOKEN is active", metadata: ["token.id": "\(PostgresTokenRepository.bootstrapID)"])
        }
        components.gate.open()
    }
    return app
}
