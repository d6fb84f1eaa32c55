import FleetGeo
import AsyncHTTPClient
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

typealias AppRequestContext = FleetRequestContext

/// Everything the service is made of, created but not yet running; tests build it the same way.
struct RoutingComponents: Sendable {
    let postgres: PostgresClient
    let consumerClient: MQTTClient
    let publisherClient: MQTTClient
    let repository: PostgresPlanRepository
    let network: RoadNetwork
    /// The road network as GeoJSON (`GET /v1/map/roads`).
    let roadMap: RoadMapDocument
    let fleet: FleetView
    let traffic: TrafficLayer
    let plans: PlanService
    let jobs: PlanJobs
    let dispatcher: Dispatcher?
    let relay: OutboxRelay
    let metrics: RoutingMetrics
    let migrations: MigrationRunner
    let audit: PostgresAuditRepository
    let auth: FleetAuthentication
    /// Clients, in start order (they stop last).
    let services: [any Service]
    /// The loops that need the schema: they start after ``prepare(configuration:logger:)``.
    let gatedServices: [any Service]

    /// Loads the road network, creates the clients (a persistent consumer session on the shared subscriptions, a
    /// clean publisher for the outbox), the traffic model and the planner; subscribes before the clients run.
    init(runtime: FleetServiceRuntime, configuration: RoutingConfiguration, network: RoadNetwork? = nil) async throws {
        let logger = runtime.logger
        metrics = RoutingMetrics()
        let clock = ContinuousClock()
        let loadStart = clock.now
        let network = try network ?? RoadNetwork(contentsOf: URL(fileURLWithPath: configuration.mapPath))
        self.network = network
        roadMap = RoadMapDocument(graph: network.graph)
        logger.info(
            "Road network ready",
            metadata: [
                "map": "\(configuration.mapPath)", "nodes": "\(network.graph.nodeCount)", "edges": "\(network.graph.edgeCount)",
                "seconds": "\(clock.now - loadStart)",
            ])
        postgres = runtime.makePostgresClient(searchPath: configuration.schema)
        repository = PostgresPlanRepository(client: postgres, schema: configuration.schema, logger: logger)
        migrations = try MigrationRunner(
            client: postgres, schema: configuration.schema, migrations: try Migration.bundled(in: .module) + [.auditLog(version: 3)],
            logger: logger)
        audit = PostgresAuditRepository(client: postgres, schema: configuration.schema, logger: logger)
        fleet = FleetView()
        traffic = TrafficLayer(graph: network.graph, configuration: configuration.traffic)

        let mqtt = runtime.configuration.mqtt
        consumerClient = try MQTTClient(configuration: mqtt.clientConfiguration(metricsLabel: "routing-consumer"), logger: logger)
        var publisherSettings = mqtt
        publisherSettings.clientID += "-pub"
        publisherClient = try MQTTClient(
            configuration: publisherSettings.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "routing-publisher"),
            logger: logger)
        let telemetry = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: VehicleChannel.telemetry.filter),
            qos: configuration.telemetryQoS == 0 ? .atMostOnce : .atLeastOnce, bufferCapacity: configuration.consumerBuffer,
            overflow: .backPressure)
        let events = try await consumerClient.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: FleetTopics.allEvents), qos: .atLeastOnce,
            bufferCapacity: 10_000, overflow: .backPressure)

        relay = OutboxRelay(outbox: repository.outbox, postgres: postgres, mqtt: publisherClient, owner: mqtt.clientID, logger: logger)
        let planner = Planner(network: network, limits: configuration.limits)
        let plans = PlanService(
            planner: planner, repository: repository, fleet: fleet, network: network, limits: configuration.limits, metrics: metrics,
            logger: logger)
        self.plans = plans
        jobs = PlanJobs(service: plans, logger: logger)
        let jams = JamRecorder(repository: repository, relay: relay, metrics: metrics, logger: logger)
        let progress = ProgressTracker(repository: repository, metrics: metrics, logger: logger)
        auth = runtime.makeAuthentication()

        var clients: [any Service] = [postgres, consumerClient, publisherClient]
        if let url = configuration.controlURL, let token = configuration.controlToken {
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(10))))
            clients.append(HTTPClientService(client: http))
            dispatcher = Dispatcher(baseURL: url, token: token, client: http, repository: repository, metrics: metrics, logger: logger)
        } else {
            dispatcher = nil
            logger.notice("FLEET_ROUTING_CONTROL_URL/_TOKEN unset: plans cannot be dispatched")
        }
        let replanning = WakeSignal()
        let watch = RouteWatch(plans: plans, dispatcher: dispatcher, traffic: traffic)
        let refresh = TrafficRefresh(traffic: traffic, network: network, jams: jams, metrics: metrics)
        services = clients
        gatedServices = [
            relay,
            jobs,
            TelemetryTrafficConsumer(
                subscription: telemetry, validator: configuration.validator, fleet: fleet, traffic: traffic, jams: jams,
                progress: progress, metrics: metrics, logger: logger),
            EventConditionsConsumer(
                subscription: events, fleet: fleet, repository: repository, replanning: replanning, metrics: metrics, logger: logger),
            PeriodicService(name: "traffic refresh", interval: configuration.trafficRefresh, logger: logger) { try await refresh.run() },
            PeriodicService(name: "route watch", interval: configuration.watchInterval, wake: replanning, logger: logger) {
                try await watch.run()
            },
        ]
    }

    /// Before traffic and the streams: migrations, the stored vehicle conditions, and the plans left queued.
    func prepare(configuration: RoutingConfiguration, logger: Logger) async throws {
        try await migrations.migrate()
        fleet.seed(conditions: try await repository.loadConditions())
        try await jobs.resumePending()
        logger.info("Routing schema ready", metadata: ["schema": "\(configuration.schema)"])
    }
}

/// The router: Fleet's standard endpoints plus `/v1/...` behind bearer-token authentication.
func buildRouter(runtime: FleetServiceRuntime, configuration: RoutingConfiguration, components c: RoutingComponents) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(
        context: AppRequestContext.self,
        readinessChecks: [.postgres(c.postgres), .mqtt(c.consumerClient), .mqtt(c.publisherClient, name: "mqtt-publisher")])
    let v1 = router.group("v1")
        .add(middleware: c.auth.middleware(realm: "fleet-routing", context: AppRequestContext.self))
        .add(middleware: AuditMiddleware(audit: c.audit))
    RoutingController(
        plans: c.plans, jobs: c.jobs, dispatcher: c.dispatcher, network: c.network, limits: configuration.limits, metrics: c.metrics
    ).addRoutes(to: v1)
    RoadMapController<AppRequestContext>(document: c.roadMap).addRoutes(to: v1)
    AuditController<PostgresAuditRepository, AppRequestContext>(audit: c.audit).addRoutes(to: v1)
    RoutingReportController(repository: c.repository).addRoutes(to: v1)
    return router
}

/// fleet-routing: PostgreSQL and the MQTT clients, then (after migrations) the outbox relay, the job runner, the
/// consumers and the traffic and route loops, and the HTTP server, in one service group.
func buildApplication(
    runtime: FleetServiceRuntime, configuration: RoutingConfiguration, network: RoadNetwork? = nil
) async throws -> some ApplicationProtocol {
    let components = try await RoutingComponents(runtime: runtime, configuration: configuration, network: network)
    let router = buildRouter(runtime: runtime, configuration: configuration, components: components)
    let logger = runtime.logger
    return runtime.makeApplication(router: router, services: components.services, gatedServices: components.gatedServices) {
        try await components.prepare(configuration: configuration, logger: logger)
    }
}
