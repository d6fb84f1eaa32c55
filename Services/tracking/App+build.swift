import FleetCore
import AsyncHTTPClient
import FleetMQTT
import FleetObjectStore
import FleetService
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import PostgresNIO
import ServiceLifecycle

typealias AppRequestContext = FleetRequestContext

/// Everything the service is made of, created but not yet running; tests build it the same way.
struct TrackingComponents: Sendable {
    let postgres: PostgresClient
    let repository: PostgresTrackingRepository
    let consumerClient: MQTTClient
    let publisherClient: MQTTClient
    let geofences: GeofenceCache
    let live: LiveHub
    let validator: TelemetryValidator
    let writer: TelemetryWriter<PostgresTrackingRepository>
    let relay: OutboxRelay
    let maintenance: MaintenanceService<PostgresTrackingRepository>
    /// The cold archive, when an object store is configured.
    let archiver: TelemetryArchiver<PostgresTrackingRepository>?
    /// The object store's S3 view, to create a missing bucket at start-up when configured to.
    let objectStore: S3ObjectStore?
    /// Fleet reports, when an object store is configured.
    let reports: ReportGenerator<PostgresTrackingRepository>?
    let migrations: MigrationRunner
    let auth: FleetAuthentication
    let audit: PostgresAuditRepository
    /// Clients and their helpers, in start order; they stop last (in reverse), after the consumers flushed through the
    /// publisher and PostgreSQL.
    let services: [any Service]
    /// The loops that need the schema: they start after ``prepare(configuration:logger:)``.
    let gatedServices: [any Service]

    /// Creates the clients (a persistent consumer session on the shared subscriptions, a clean publisher for
    /// acknowledgements, events and dead letters), the ingest pipeline, upkeep and the live stream; subscribes before
    /// the clients run, so the persistent session is (re)established at connect. Nothing connects yet.
    init(runtime: FleetServiceRuntime, configuration: TrackingConfiguration) async throws {
        let logger = runtime.logger
        let metrics = IngestMetrics()
        postgres = runtime.makePostgresClient(searchPath: configuration.schema)
        repository = PostgresTrackingRepository(client: postgres, schema: configuration.schema, logger: logger)
        migrations = try MigrationRunner(
            client: postgres, schema: configuration.schema, migrations: try PostgresTrackingRepository.migrations(), logger: logger)
        geofences = GeofenceCache()

        let mqtt = runtime.configuration.mqtt
        consumerClient = try MQTTClient(configuration: mqtt.clientConfiguration(metricsLabel: "tracking-consumer"), logger: logger)
        var publisherSettings = mqtt
        publisherSettings.clientID += "-pub"
        publisherClient = try MQTTClient(
            configuration: publisherSettings.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "tracking-publisher"),
            logger: logger)
        let telemetrySubscription = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: VehicleChannel.telemetry.filter), qos: .atLeastOnce,
            bufferCapacity: configuration.consumerBuffer, overflow: .backPressure)
        let stateSubscription = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: VehicleChannel.state.filter), qos: .atLeastOnce,
            bufferCapacity: 10_000, overflow: .backPressure)

        // The replica's stable client id owns its outbox claims, so a restarted replica publishes them at once.
        relay = OutboxRelay(outbox: repository.outbox, postgres: postgres, mqtt: publisherClient, owner: mqtt.clientID, logger: logger)
        let deadLetters = DeadLetterSink(repository: repository, client: publisherClient, metrics: metrics, logger: logger)
        let commits = CommitPublisher(
            client: publisherClient, interval: .milliseconds(configuration.commitIntervalMillis),
            streamShards: configuration.commitStream ? configuration.positionShards : nil, metrics: metrics, logger: logger)
        let positions =
            configuration.positionsIntervalMillis > 0
            ? PositionPublisher(
                client: publisherClient, interval: .milliseconds(configuration.positionsIntervalMillis), shards: configuration.positionShards,
                metrics: metrics, logger: logger)
            : nil
        live = LiveHub(interval: .milliseconds(configuration.liveIntervalMillis), metrics: metrics)
        var clients: [any Service] = []
        if let storeConfiguration = configuration.archive.store {
            let http = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(120))))
            let store = try S3ObjectStore(configuration: storeConfiguration, httpClient: http, logger: logger)
            objectStore = store
            let archiver = TelemetryArchiver(
                repository: repository, store: store, configuration: configuration.archive, owner: mqtt.clientID,
                metrics: ArchiveMetrics(), manifests: ManifestCache(), logger: logger)
            self.archiver = archiver
            reports = ReportGenerator(
                repository: repository, archiver: archiver, configuration: configuration.reports,
                movingThreshold: configuration.movingThresholdMetersPerSecond, httpClient: http, metrics: ReportMetrics(), logger: logger)
            clients.append(HTTPClientService(client: http))
        } else {
            objectStore = nil
            archiver = nil
            reports = nil
        }
        maintenance = MaintenanceService(
            repository: repository, configuration: configuration, archiver: archiver, geofences: geofences, commits: commits,
            relay: relay, metrics: metrics, logger: logger)
        writer = TelemetryWriter(
            repository: repository, configuration: configuration, knownVehicles: KnownVehicles(), geofences: geofences, commits: commits,
            positions: positions, relay: relay, live: live, deadLetters: deadLetters, metrics: metrics, logger: logger)
        validator = TelemetryValidator(configuration: configuration)
        let telemetryConsumer = TelemetryConsumer(
            subscription: telemetrySubscription, client: consumerClient, validator: validator, writer: writer, configuration: configuration,
            metrics: metrics, logger: logger)
        let stateConsumer = StateConsumer(
            subscription: stateSubscription, repository: repository, relay: relay, deadLetters: deadLetters, logger: logger)
        auth = runtime.makeAuthentication()
        audit = PostgresAuditRepository(client: postgres, schema: configuration.schema, logger: logger)
        services = [postgres, consumerClient, publisherClient, commits, live] + (positions.map { [$0] } ?? []) + clients
        var upkeep = maintenance.services()
        if configuration.reports.weekly, let reports {
            let tags: [String?] = [nil] + configuration.reports.weeklyTags.map { Optional($0) }
            upkeep.append(
                PeriodicService(name: "Weekly report", interval: .seconds(900), logger: logger) {
                    let week = ReportSchedule.lastCompleteWeek(before: TimestampPolicy.millis(from: .now))
                    for tag in tags {
                        _ = try await reports.generate(.init(period: week, tag: tag, title: nil, kind: "weekly"))
                    }
                })
        }
        gatedServices = [relay, telemetryConsumer, stateConsumer] + upkeep
    }

    /// Before traffic and ingest: migrations, today's partitions, the geofence cache.
    func prepare(configuration: TrackingConfiguration, logger: Logger) async throws {
        try await migrations.migrate()
        try await maintenance.ensurePartitions(nowMillis: TimestampPolicy.millis(from: .now))
        if configuration.archive.createBucket, let objectStore {
            try await objectStore.createBucketIfMissing()
        }
        try await geofences.refresh(from: repository)
        logger.info("Tracking schema ready", metadata: ["schema": "\(configuration.schema)"])
    }
}

/// The HTTP routes, and the WebSocket routes (`/v1/live`).
func buildRouter(
    runtime: FleetServiceRuntime, configuration: TrackingConfiguration, components c: TrackingComponents
) -> (Router<AppRequestContext>, Router<BasicWebSocketRequestContext>) {
    let router = runtime.makeRouter(
        context: AppRequestContext.self,
        readinessChecks: [.postgres(c.postgres), .mqtt(c.consumerClient), .mqtt(c.publisherClient, name: "mqtt-publisher")])
    let v1 = router.group("v1").add(middleware: c.auth.middleware(realm: "fleet-tracking", context: AppRequestContext.self))
        .add(middleware: AuditMiddleware(audit: c.audit))
    AuditController<PostgresAuditRepository, AppRequestContext>(audit: c.audit).addRoutes(to: v1)
    TelemetryController(
        validator: c.validator, writer: c.writer, maxItems: configuration.maxHTTPBatchItems,
        maxBodyBytes: runtime.configuration.http.maxBodyBytes
    ).addRoutes(to: v1)
    VehiclesController(
        repository: c.repository, archiver: c.archiver, summaries: SummaryCache(maxAgeMillis: Int64(configuration.summaryMaxAgeMillis))
    ).addRoutes(to: v1)
    ArchiveController(repository: c.repository, archiver: c.archiver, retentionDays: configuration.retentionDays).addRoutes(to: v1)
    ReportController(repository: c.repository, generator: c.reports).addRoutes(to: v1)
    GeofencesController(repository: c.repository, cache: c.geofences).addRoutes(to: v1)
    DeadLettersController(repository: c.repository).addRoutes(to: v1)
    LiveController<PostgresTrackingRepository>.addFallbackRoute(to: v1)
    ConsoleController<AppRequestContext>(configuration: configuration.console).addRoutes(to: router, logger: runtime.logger)
    let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
    LiveController(hub: c.live, repository: c.repository, authenticator: c.auth.authenticator).addRoutes(to: webSocketRouter)
    return (router, webSocketRouter)
}

/// fleet-tracking: PostgreSQL, the MQTT clients, the commit publisher and the live hub, then (after migrations) the
/// outbox relay, the consumers and upkeep, and the HTTP and WebSocket server, in one service group.
func buildApplication(runtime: FleetServiceRuntime, configuration: TrackingConfiguration) async throws -> some ApplicationProtocol {
    let components = try await TrackingComponents(runtime: runtime, configuration: configuration)
    let (router, webSocketRouter) = buildRouter(runtime: runtime, configuration: configuration, components: components)
    let logger = runtime.logger
    return runtime.makeApplication(
        router: router, server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter), services: components.services,
        gatedServices: components.gatedServices
    ) {
        try await components.prepare(configuration: configuration, logger: logger)
    }
}
