import Hummingbird
import NIOCore
import Prometheus

/// Serves a Prometheus registry at `GET /metrics` in the text exposition format 0.0.4.
///
/// ```swift
/// router.addRoutes(MetricsController(registry: FleetMetrics.bootstrap()).endpoints)
/// ```
public struct MetricsController<Context: RequestContext>: Sendable {
    /// The registry whose metrics are exposed.
    public let registry: PrometheusCollectorRegistry
    /// The route path, `metrics` by default.
    public let path: RouterPath

    /// The `Content-Type` Prometheus expects for the text format.
    public static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    /// Creates a controller exposing `registry` at `path`.
    public init(registry: PrometheusCollectorRegistry, path: RouterPath = "metrics") {
        self.registry = registry
        self.path = path
    }

    /// The `GET /metrics` route, to mount with `router.addRoutes(_:)`.
    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(path) { _, _ in
            self.response()
        }
        return routes
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
