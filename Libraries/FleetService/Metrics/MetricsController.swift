import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Serves a Prometheus registry at `GET /metrics` in the text exposition format 0.0.4.
///
/// With readiness checks, every scrape first runs them (concurrently, each under its own time limit) and records
/// the outcome as `fleet_service_ready` (1 ready, 0 not) and `fleet_readiness_check_up{check}`, so Prometheus sees
/// "up but not ready" without probing `/health/ready` itself.
///
/// ```swift
/// router.addRoutes(MetricsController(registry: FleetMetrics.bootstrap(), readinessChecks: [.postgres(client)]).endpoints)
/// ```
public struct MetricsController<Context: RequestContext>: Sendable {
    /// The registry whose metrics are exposed.
    public let registry: PrometheusCollectorRegistry
    /// The route path, `metrics` by default.
    public let path: RouterPath
    /// The dependencies each scrape checks (the same as `/health/ready`'s).
    public let readinessChecks: [ReadinessCheck]

    private let ready: Gauge
    private let checkUp: [String: Gauge]

    /// The `Content-Type` Prometheus expects for the text format.
    public static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    /// Creates a controller exposing `registry` at `path`; the readiness gauges are made here, once.
    public init(registry: PrometheusCollectorRegistry, path: RouterPath = "metrics", readinessChecks: [ReadinessCheck] = []) {
        self.registry = registry
        self.path = path
        self.readinessChecks = readinessChecks
        self.ready = registry.makeGauge(name: "fleet_service_ready")
        var checkUp: [String: Gauge] = [:]
        for check in readinessChecks {
            checkUp[check.name] = registry.makeGauge(name: "fleet_readiness_check_up", labels: [("check", check.name)])
        }
        self.checkUp = checkUp
    }

    /// The `GET /metrics` route, to mount with `router.addRoutes(_:)`.
    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(path) { _, context in
            await self.recordReadiness(logger: context.logger)
            return self.response()
        }
        return routes
    }

    private func recordReadiness(logger: Logger) async {
        let report = await HealthController<Context>(checks: readinessChecks).readiness(logger: logger)
        ready.set(report.isReady ? 1.0 : 0.0)
        for (name, state) in report.checks {
            checkUp[name]?.set(state == "up" ? 1.0 : 0.0)
        }
    }

    private func response() -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
