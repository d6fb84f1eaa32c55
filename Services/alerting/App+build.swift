import AsyncHTTPClient
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

typealias AppRequestContext = FleetRequestContext

/// Everything the application is made of, created but not yet running; tests build it the same way.
struct AlertingComponents: Sendable {
    let postgres: PostgresClient
    let mqtt: MQTTClient
    /// The webhook client; shut down by its `HTTPClientService` (or by whoever builds components without running them).
    let httpClient: HTTPClient
    let alerts: any AlertRepository
    let rules: any RuleRepository
    let webhooks: any WebhookRepository
    let ruleBook: RuleBook
    let signal: WakeSignal
    let policy: DestinationPolicy
    let metrics: AlertingMetrics
    let migrations: MigrationRunner
    let auth: FleetAuthentication
    let audit: PostgresAuditRepository
    let fileRules: [AlertRule]
    /// Clients, in start order (they stop last).
    let services: [any Service]
    /// The loops that need the schema and the rules: they start after ``prepare(logger:)``.
    let gatedServices: [any Service]

    /// Creates the clients, repositories, dispatcher, consumer and sweeper and subscribes (before the MQTT client runs,
    /// so the persistent session carries the subscription from the first connect). Nothing connects yet.
    init(runtime: FleetServiceRuntime, configuration: AlertingConfiguration) async throws {
        let logger = runtime.logger
        fileRules = try configuration.rulesFile.map { try RuleFile.load(path: $0) } ?? []
        postgres = runtime.makePostgresClient(searchPath: configuration.schema)
        alerts = PostgresAlertRepository(client: postgres, schema: configuration.schema, logger: logger)
        rules = PostgresRuleRepository(client: postgres, schema: configuration.schema, logger: logger)
        webhooks = PostgresWebhookRepository(client: postgres, schema: configuration.schema, logger: logger)
        ruleBook = RuleBook()
        signal = WakeSignal()
        policy = DestinationPolicy(allowed: configuration.allowedCIDRs)
        metrics = AlertingMetrics()
        migrations = try MigrationRunner(client: postgres, schema: configuration.schema, migrations: try Self.schemaMigrations(), logger: logger)

        mqtt = try MQTTClient(configuration: runtime.configuration.mqtt.clientConfiguration(metricsLabel: "alerting"), logger: logger)
        let subscription = try await mqtt.subscribe(
            to: try FleetTopics.shared(group: configuration.shareGroup, filter: "\(FleetTopics.eventsPrefix)/#"),
            qos: .atLeastOnce, bufferCapacity: 64, overflow: .backPressure)

        var httpConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .nanoseconds(Int64(RetryPolicy.seconds(configuration.requestTimeout) * 1e9))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.dispatchConcurrency))
        // A refused connection fails the attempt at once: the outbox owns retries and backoff. (With the default, the
        // pool keeps retrying the connection with its own growing backoff until the request times out, so a receiver
        // that came back is noticed late and every probe costs the full timeout.)
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let breakers = CircuitBreakers(threshold: configuration.breakerFailures, cooldown: configuration.breakerCooldown)
        let retry = RetryPolicy(
            base: configuration.retryBase, maxDelay: configuration.retryMaxDelay, maxAge: configuration.retryMaxAge,
            maxAttempts: configuration.retryMaxAttempts)

        let dispatcher = WebhookDispatcher(
            repository: webhooks, httpClient: httpClient, policy: policy, retry: retry, breakers: breakers, signal: signal,
            configuration: configuration, metrics: metrics, logger: logger)
        let consumer = EventConsumer(
            subscription: subscription, alerts: alerts, rules: ruleBook, signal: signal, metrics: metrics, logger: logger)
        let sweeper = Sweeper(
            alerts: alerts, ruleRepository: rules, webhooks: webhooks,
            retention: DeliveryRetention(delivered: configuration.deliveredRetention, dead: configuration.deadRetention),
            rules: ruleBook, breakers: breakers, signal: signal, metrics: metrics, logger: logger)
        auth = runtime.makeAuthentication()
        audit = PostgresAuditRepository(client: postgres, schema: configuration.schema, logger: logger)
        services = [postgres, mqtt, HTTPClientService(client: httpClient)]
        gatedServices = [
            dispatcher, consumer,
            PeriodicService(name: "Alert sweep", interval: configuration.sweepInterval, logger: logger) { await sweeper.sweep() },
        ]
    }

    /// The schema's migrations: the bundled files and the kit's audit log (version 5; the files skip it).
    static func schemaMigrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + [.auditLog(version: 5)]
    }

    /// Before traffic: migrations, the rules file, the rule book.
    func prepare(logger: Logger) async throws {
        try await migrations.migrate()
        try await rules.syncFileRules(fileRules)
        await ruleBook.replace(with: try await rules.all().map(\.rule))
        let count = await ruleBook.current().count
        logger.info("Alerting ready", metadata: ["rules": "\(count)", "rules.file": "\(fileRules.count)"])
    }
}

/// The HTTP routes: standard endpoints plus `/v1/alerts`, `/v1/platform-alerts`, `/v1/rules`, `/v1/webhooks`,
/// `/v1/report-data`.
func buildRouter(
    runtime: FleetServiceRuntime, configuration: AlertingConfiguration, components c: AlertingComponents
) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(context: AppRequestContext.self, readinessChecks: [.postgres(c.postgres), .mqtt(c.mqtt)])
    let v1 = router.group("v1").add(middleware: c.auth.middleware(realm: "fleet-alerting", context: AppRequestContext.self))
        .add(middleware: AuditMiddleware(audit: c.audit))
    AuditController<PostgresAuditRepository, AppRequestContext>(audit: c.audit).addRoutes(to: v1)
    v1.addRoutes(AlertController(repository: c.alerts, signal: c.signal, metrics: c.metrics).endpoints, atPath: "alerts")
    v1.addRoutes(
        PlatformAlertController(repository: c.alerts, rules: c.ruleBook, signal: c.signal, metrics: c.metrics).endpoints,
        atPath: "platform-alerts")
    v1.addRoutes(RuleController(repository: c.rules, rules: c.ruleBook, metrics: c.metrics).endpoints, atPath: "rules")
    v1.addRoutes(
        WebhookController(repository: c.webhooks, policy: c.policy, signal: c.signal, metrics: c.metrics).endpoints,
        atPath: "webhooks")
    let reports = PostgresAlertRepository(client: c.postgres, schema: configuration.schema, logger: runtime.logger)
    v1.addRoutes(ReportDataController(repository: reports).endpoints, atPath: "report-data")
    return router
}

/// fleet-alerting: PostgreSQL, MQTT and the webhook HTTP client, then (after migrations and the rules) the event
/// consumer, the webhook dispatcher and the sweeper, and the HTTP server, in one service group.
func buildApplication(runtime: FleetServiceRuntime, configuration: AlertingConfiguration) async throws -> some ApplicationProtocol {
    let components = try await AlertingComponents(runtime: runtime, configuration: configuration)
    let router = buildRouter(runtime: runtime, configuration: configuration, components: components)
    let logger = runtime.logger
    return runtime.makeApplication(router: router, services: components.services, gatedServices: components.gatedServices) {
        try await components.prepare(logger: logger)
    }
}
