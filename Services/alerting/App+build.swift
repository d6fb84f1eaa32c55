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

typealias AppRequestContext = BasicRequestContext

/// The repositories and shared state the controllers and background services use.
struct AlertingComponents: Sendable {
    let alerts: any AlertRepository
    let rules: any RuleRepository
    let webhooks: any WebhookRepository
    let ruleBook: RuleBook
    let signal: DispatchSignal
    let policy: DestinationPolicy
    let metrics: AlertingMetrics

    init(postgres: PostgresClient, configuration: AlertingConfiguration, logger: Logger) {
        alerts = PostgresAlertRepository(client: postgres, schema: configuration.schema, logger: logger)
        rules = PostgresRuleRepository(client: postgres, schema: configuration.schema, logger: logger)
        webhooks = PostgresWebhookRepository(client: postgres, schema: configuration.schema, logger: logger)
        ruleBook = RuleBook()
        signal = DispatchSignal()
        policy = DestinationPolicy(allowed: configuration.allowedCIDRs)
        metrics = AlertingMetrics()
    }
}

/// The migrations of `schema` (the SQL files name tables `{schema}.table`).
func alertingMigrations(schema: String) throws -> [Migration] {
    guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
        throw RuleError("the Migrations resource is missing from the bundle")
    }
    return try Migration.load(from: directory).map {
        Migration(version: $0.version, name: $0.name, sql: $0.sql.replacingOccurrences(of: "{schema}", with: schema))
    }
}

/// The HTTP routes: standard endpoints plus `/v1/alerts`, `/v1/rules`, `/v1/webhooks`.
func buildRouter(
    runtime: FleetServiceRuntime, components: AlertingComponents, readinessChecks: [ReadinessCheck]
) -> Router<AppRequestContext> {
    let router = runtime.makeRouter(context: AppRequestContext.self, readinessChecks: readinessChecks)
    router.addRoutes(
        AlertController(repository: components.alerts, signal: components.signal, metrics: components.metrics).endpoints,
        atPath: "/v1/alerts")
    router.addRoutes(
        RuleController(repository: components.rules, rules: components.ruleBook, metrics: components.metrics).endpoints,
        atPath: "/v1/rules")
    router.addRoutes(
        WebhookController(
            repository: components.webhooks, policy: components.policy, signal: components.signal, metrics: components.metrics
        ).endpoints, atPath: "/v1/webhooks")
    return router
}

/// Builds `fleet-alerting`: PostgreSQL, MQTT consumer, webhook dispatcher, sweeper and the HTTP API.
///
/// - Parameters:
///   - runtime: Common configuration, logger and metrics.
///   - configuration: The alerting settings.
///   - mqttConfiguration: The broker client configuration (tests pass their broker's).
func buildApplication(
    runtime: FleetServiceRuntime, configuration: AlertingConfiguration, mqttConfiguration: MQTTConfiguration? = nil
) async throws -> some ApplicationProtocol {
    let logger = runtime.logger
    let fileRules = try configuration.rulesFile.map { try RuleFile.load(path: $0) } ?? []
    let postgres = runtime.makePostgresClient()
    let components = AlertingComponents(postgres: postgres, configuration: configuration, logger: logger)
    let migrations = try MigrationRunner(
        client: postgres, schema: configuration.schema, migrations: try alertingMigrations(schema: configuration.schema),
        logger: logger)

    let mqtt = try MQTTClient(
        configuration: mqttConfiguration ?? runtime.configuration.mqtt.clientConfiguration(metricsLabel: "alerting"), logger: logger)
    // Subscribed before the client runs, so the persistent session carries it from the first connect.
    let subscription = try await mqtt.subscribe(
        to: try FleetTopics.shared(group: configuration.shareGroup, filter: "\(FleetTopics.eventsPrefix)/#"),
        qos: .atLeastOnce, bufferCapacity: 64, overflow: .backPressure)

    var httpConfiguration = HTTPClient.Configuration(
        redirectConfiguration: .disallow,
        timeout: .init(connect: .seconds(5), read: .nanoseconds(Int64(RetryPolicy.seconds(configuration.requestTimeout) * 1e9))),
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.dispatchConcurrency))
    // A refused connection fails the attempt at once: the outbox owns retries and backoff. (With the default, the pool
    // keeps retrying the connection with its own growing backoff until the request times out, so a receiver that came
    // back is noticed late and every probe costs the full timeout.)
    httpConfiguration.connectionPool.retryConnectionEstablishment = false
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    let breakers = CircuitBreakers(threshold: configuration.breakerFailures, cooldown: configuration.breakerCooldown)
    let retry = RetryPolicy(
        base: configuration.retryBase, maxDelay: configuration.retryMaxDelay, maxAge: configuration.retryMaxAge,
        maxAttempts: configuration.retryMaxAttempts)

    let gate = StartupGate()
    let dispatcher = WebhookDispatcher(
        repository: components.webhooks, httpClient: httpClient, policy: components.policy, retry: retry, breakers: breakers,
        signal: components.signal, configuration: configuration, metrics: components.metrics, logger: logger)
    let consumer = EventConsumer(
        subscription: subscription, alerts: components.alerts, rules: components.ruleBook, signal: components.signal,
        metrics: components.metrics, logger: logger)
    let sweeper = Sweeper(
        alerts: components.alerts, ruleRepository: components.rules, webhooks: components.webhooks, rules: components.ruleBook,
        breakers: breakers, signal: components.signal, interval: configuration.sweepInterval, metrics: components.metrics,
        logger: logger)

    let router = buildRouter(runtime: runtime, components: components, readinessChecks: [.postgres(postgres), .mqtt(mqtt)])
    var app = runtime.makeApplication(
        router: router,
        services: [
            postgres, mqtt, HTTPClientService(client: httpClient),
            GatedService(gate: gate, base: dispatcher), GatedService(gate: gate, base: consumer), GatedService(gate: gate, base: sweeper),
        ])
    app.beforeServerStarts {
        try await migrations.migrate()
        try await components.rules.syncFileRules(fileRules)
        await components.ruleBook.replace(with: try await components.rules.all().map(\.rule))
        let count = await components.ruleBook.current().count
        logger.info("Alerting ready", metadata: ["rules": "\(count)", "rules.file": "\(fileRules.count)"])
        await gate.open()
    }
    return app
}
