import Configuration
import Hummingbird
import HummingbirdCore
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The shared start-up of every Fleet service: configuration, logger, metrics registry, and
/// factories for the router, application, PostgreSQL client and service group.
///
/// ```swift
/// let runtime = try FleetServiceRuntime.bootstrap(serviceName: "telemetry", reader: FleetConfiguration.environmentReader())
/// let postgres = runtime.makePostgresClient()
/// let router = runtime.makeRouter(readinessChecks: [.postgres(postgres)])
/// router.addRoutes(VehicleController(db: postgres).endpoints, atPath: "/v1/vehicles")
/// let app = runtime.makeApplication(router: router)
/// try await runtime.run([postgres, app])
/// ```
public struct FleetServiceRuntime: Sendable {
    /// Everything read at start-up.
    public let configuration: FleetConfiguration
    /// The service's root logger (label = service name).
    public let logger: Logger
    /// The registry `/metrics` exposes.
    public let metricsRegistry: PrometheusCollectorRegistry

    /// Creates a runtime without touching process-wide state; for tests and tools.
    ///
    /// - Parameters:
    ///   - configuration: The service's configuration.
    ///   - logger: Defaults to a logger labelled with the service name at the configured level,
    ///     using whichever swift-log backend is installed.
    ///   - metricsRegistry: Defaults to a fresh private registry. Metrics created through
    ///     swift-metrics (including the HTTP metrics of `MetricsMiddleware`) go to the global
    ///     backend, so they appear here only for the registry ``FleetMetrics/bootstrap()`` returns.
    public init(
        configuration: FleetConfiguration,
        logger: Logger? = nil,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.configuration = configuration
        self.logger =
            logger
            ?? {
                var logger = Logger(label: configuration.serviceName)
                logger.logLevel = configuration.log.level
                return logger
            }()
        self.metricsRegistry = metricsRegistry
    }

    /// Reads the configuration and installs the process-wide logging and metrics backends.
    ///
    /// Call once, at the top of `main`. Logging and metrics bootstraps are idempotent
    /// (see ``FleetLogging/bootstrap(_:)`` and ``FleetMetrics/bootstrap()``).
    ///
    /// - Parameters:
    ///   - serviceName: The service's name, for example `telemetry`.
    ///   - reader: Usually ``FleetConfiguration/environmentReader()``.
    ///   - defaultHTTPPort: The port this service listens on when `FLEET_HTTP_PORT` is unset.
    /// - Throws: ``ConfigurationError`` for malformed values.
    public static func bootstrap(
        serviceName: String,
        reader: ConfigReader,
        defaultHTTPPort: Int = HTTPServerConfiguration.defaultPort
    ) throws -> FleetServiceRuntime {
        let configuration = try FleetConfiguration(serviceName: serviceName, reader: reader, defaultHTTPPort: defaultHTTPPort)
        FleetLogging.bootstrap(configuration.log)
        let runtime = FleetServiceRuntime(configuration: configuration, metricsRegistry: FleetMetrics.bootstrap())
        runtime.logger.info(
            "Starting \(serviceName)",
            metadata: [
                "http": "\(configuration.http.host):\(configuration.http.port)",
                "postgres": "\(configuration.postgres)",
                "mqtt": "\(configuration.mqtt)",
                "log.level": "\(configuration.log.level)",
            ]
        )
        return runtime
    }

    /// A router with Fleet's standard middleware and endpoints.
    ///
    /// Middleware, outermost first: ``AllowedOriginsCORSMiddleware`` when `FLEET_HTTP_CORS_ORIGINS` lists origins,
    /// Hummingbird's `MetricsMiddleware` (request counts and
    /// durations per route template, method and status), ``JSONErrorMiddleware``,
    /// ``RequestBodyLimitMiddleware`` (``HTTPServerConfiguration/maxBodyBytes``).
    /// Routes: `GET /metrics` (``MetricsController``, which also records the readiness checks as
    /// `fleet_service_ready` and `fleet_readiness_check_up{check}` at every scrape), `GET /health/live` and
    /// `GET /health/ready` (``HealthController``). Add the service's routes afterwards.
    ///
    /// - Parameters:
    ///   - context: The request context type.
    ///   - readinessChecks: The dependencies `/health/ready` checks.
    public func makeRouter<Context: RequestContext>(
        context: Context.Type = BasicRequestContext.self,
        readinessChecks: [ReadinessCheck] = []
    ) -> Router<Context> {
        let router = Router(context: Context.self)
        // Outermost, so error responses carry the CORS headers too (a browser hides the status of a response without).
        if !configuration.http.corsOrigins.isEmpty {
            router.add(middleware: AllowedOriginsCORSMiddleware(origins: configuration.http.corsOrigins))
        }
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: RequestBodyLimitMiddleware(maxBytes: configuration.http.maxBodyBytes))
        router.addRoutes(MetricsController(registry: metricsRegistry, readinessChecks: readinessChecks).endpoints)
        router.addRoutes(HealthController(checks: readinessChecks).endpoints)
        return router
    }

    /// A Hummingbird application serving `router` on the configured host and port.
    ///
    /// Further services (PostgreSQL, MQTT…) can be passed here, added later with
    /// `addServices`, or run next to the application with ``run(_:)``. Use
    /// `beforeServerStarts` for work that must finish before traffic is accepted (migrations).
    ///
    /// - Parameter server: The server channel; `.http1()` by default, or for example
    ///   `.http1WebSocketUpgrade(webSocketRouter:)` for a service with WebSocket endpoints.
    public func makeApplication<Context: RequestContext>(
        router: Router<Context>,
        server: HTTPServerBuilder = .http1(),
        services: [any Service] = []
    ) -> Application<RouterResponder<Context>> where Context.Source == ApplicationRequestContextSource {
        Application(
            router: router,
            server: server,
            configuration: configuration.http.applicationConfiguration(serverName: configuration.serviceName),
            services: services,
            logger: logger
        )
    }

    /// A service's application, the one way every Fleet service is put together.
    ///
    /// `services` run from the start (clients: PostgreSQL, MQTT, HTTP). `gatedServices` (consumers, dispatchers,
    /// relays: whatever needs the schema) start only after `prepare` (migrations, caches) succeeded; `prepare` runs
    /// before the server accepts traffic, and if it throws the application stops with that error. At graceful
    /// shutdown services stop in reverse order: the HTTP server and the gated services first, the clients last.
    public func makeApplication<Context: RequestContext>(
        router: Router<Context>,
        server: HTTPServerBuilder = .http1(),
        services: [any Service],
        gatedServices: [any Service],
        prepare: @escaping @Sendable () async throws -> Void
    ) -> Application<RouterResponder<Context>> where Context.Source == ApplicationRequestContextSource {
        let gate = StartupGate()
        var app = makeApplication(
            router: router, server: server, services: services + gatedServices.map { GatedService(gate: gate, base: $0) })
        app.beforeServerStarts {
            try await prepare()
            gate.open()
        }
        return app
    }

    /// A PostgreSQL client for the configured database. It is a `Service`: run it with
    /// ``run(_:)`` or add it to the application before using it. `searchPath`: see
    /// ``PostgresConfiguration/clientConfiguration(searchPath:)``.
    public func makePostgresClient(searchPath: String? = nil) -> PostgresClient {
        var backgroundLogger = logger
        backgroundLogger[metadataKey: "component"] = "postgres"
        return PostgresClient(configuration: configuration.postgres.clientConfiguration(searchPath: searchPath), backgroundLogger: backgroundLogger)
    }

    /// How long a graceful shutdown may take before what is still running is cancelled: work in progress (a periodic
    /// run, a transaction) is left to finish until then. Inside Kubernetes' default 30 s between SIGTERM and SIGKILL.
    public static let gracefulShutdownDeadline: Duration = .seconds(25)

    /// A service group that shuts down gracefully on SIGTERM and SIGINT, cancelling what has not stopped after
    /// ``gracefulShutdownDeadline``.
    ///
    /// Services shut down in reverse order, so list dependencies first:
    /// `[postgres, mqtt, app]` stops the HTTP server (draining requests) before the clients.
    public func makeServiceGroup(_ services: [any Service]) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = Self.gracefulShutdownDeadline
        return ServiceGroup(configuration: configuration)
    }

    /// Runs `services` until SIGTERM/SIGINT or until one of them fails.
    ///
    /// - Throws: The first service error; the others are cancelled first.
    public func run(_ services: [any Service]) async throws {
        try await makeServiceGroup(services).run()
    }
}
