import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import PostgresNIO
import ServiceLifecycle

/// Builds the tracking service: PostgreSQL, two MQTT connections (a persistent consumer session on
/// the shared subscriptions, a clean publisher for acknowledgements, events and dead letters), the
/// ingest pipeline, upkeep, the live stream and the HTTP API. Tests call this same function.
func buildApplication(runtime: FleetServiceRuntime, tracking: TrackingConfiguration) async throws -> some ApplicationProtocol {
    let parts = try await TrackingComponents(runtime: runtime, tracking: tracking)
    let (router, webSocketRouter) = buildRouters(parts, runtime: runtime, tracking: tracking)
    var app = runtime.makeApplication(
        router: router, server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter), services: parts.services)
    app.beforeServerStarts {
        try await parts.preparation.run()
    }
    return app
}

/// The HTTP routes and the WebSocket routes (`/v1/live`).
func buildRouters(
    _ parts: TrackingComponents, runtime: FleetServiceRuntime, tracking: TrackingConfiguration
) -> (Router<BasicRequestContext>, Router<BasicWebSocketRequestContext>) {
    let router = runtime.makeRouter(
        readinessChecks: [.postgres(parts.postgres), .mqtt(parts.consumerClient), .mqtt(parts.publisherClient, name: "mqtt-publisher")])
    let v1 = router.group("v1")
    TelemetryController(
        validator: parts.validator, writer: parts.writer, maxItems: tracking.maxHTTPBatchItems,
        maxBodyBytes: runtime.configuration.http.maxBodyBytes
    ).addRoutes(to: v1)
    VehiclesController(repository: parts.repository).addRoutes(to: v1)
    GeofencesController(repository: parts.repository, cache: parts.geofences).addRoutes(to: v1)
    DeadLettersController(repository: parts.repository).addRoutes(to: v1)
    let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
    LiveController(hub: parts.live, repository: parts.repository).addRoutes(to: webSocketRouter)
    return (router, webSocketRouter)
}

/// Everything the service is made of, created but not yet running.
struct TrackingComponents: Sendable {
    let postgres: PostgresClient
    let repository: PostgresTrackingRepository
    let consumerClient: MQTTClient
    let publisherClient: MQTTClient
    let geofences: GeofenceCache
    let live: LiveHub
    let validator: TelemetryValidator
    let writer: TelemetryWriter<PostgresTrackingRepository>
    let preparation: Preparation
    /// In start order; shutdown runs in reverse, so HTTP and consumers stop first and flush through
    /// the publisher and PostgreSQL, which stop last.
    let services: [any Service]

    init(runtime: FleetServiceRuntime, tracking: TrackingConfiguration) async throws {
        let logger = runtime.logger
        let metrics = IngestMetrics()
        postgres = runtime.makePostgresClient()
        repository = PostgresTrackingRepository(client: postgres, schema: tracking.schema, logger: logger)
        guard let migrationsURL = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw ConfigurationError(key: "migrations", reason: "the Migrations resource is missing from the bundle")
        }
        let migrations = try MigrationRunner(
            client: postgres, schema: tracking.schema, migrations: try Migration.load(from: migrationsURL), logger: logger)
        let geofences = GeofenceCache()
        self.geofences = geofences

        let mqtt = runtime.configuration.mqtt
        consumerClient = try MQTTClient(configuration: mqtt.clientConfiguration(metricsLabel: "tracking-consumer"), logger: logger)
        var publisherSettings = mqtt
        publisherSettings.clientID += "-pub"
        publisherClient = try MQTTClient(
            configuration: publisherSettings.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "tracking-publisher"),
            logger: logger)
        // Subscribed before the clients run, so the persistent session is (re)established at connect.
        let telemetrySubscription = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: tracking.shareGroup, filter: VehicleChannel.telemetry.filter), qos: .atLeastOnce,
            bufferCapacity: tracking.consumerBuffer, overflow: .backPressure)
        let stateSubscription = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: tracking.shareGroup, filter: VehicleChannel.state.filter), qos: .atLeastOnce,
            bufferCapacity: 10_000, overflow: .backPressure)

        let events = EventPublisher(client: publisherClient, metrics: metrics, logger: logger)
        let deadLetters = DeadLetterSink(repository: repository, client: publisherClient, metrics: metrics, logger: logger)
        let commits = CommitPublisher(
            client: publisherClient, interval: .milliseconds(tracking.commitIntervalMillis), metrics: metrics, logger: logger)
        live = LiveHub(interval: .milliseconds(tracking.liveIntervalMillis), metrics: metrics)
        let maintenance = MaintenanceService(
            repository: repository, configuration: tracking, geofences: geofences, commits: commits, events: events, metrics: metrics,
            logger: logger)
        let repository = self.repository
        preparation = Preparation {
            try await migrations.migrate()
            try await maintenance.maintainPartitions(nowMillis: TimestampPolicy.millis(from: .now))
            try await geofences.refresh(from: repository)
            logger.info("Tracking schema ready", metadata: ["schema": "\(tracking.schema)"])
        }
        writer = TelemetryWriter(
            repository: repository, configuration: tracking, knownVehicles: KnownVehicles(), geofences: geofences, commits: commits,
            events: events, live: live, deadLetters: deadLetters, metrics: metrics, logger: logger)
        validator = TelemetryValidator(configuration: tracking)
        let telemetryConsumer = TelemetryConsumer(
            subscription: telemetrySubscription, client: consumerClient, validator: validator, writer: writer, configuration: tracking, preparation: preparation,
            metrics: metrics, logger: logger)
        let stateConsumer = StateConsumer(
            subscription: stateSubscription, repository: repository, events: events, deadLetters: deadLetters, logger: logger)
        services = [
            postgres, consumerClient, publisherClient, commits, live, telemetryConsumer, stateConsumer, maintenance,
        ]
    }
}
