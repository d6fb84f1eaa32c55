import Metrics
import Prometheus

/// Process-wide metrics set-up: swift-metrics backed by a Prometheus registry.
public enum FleetMetrics {
    /// The process-wide registry, created and installed as the swift-metrics backend on
    /// first access (Swift guarantees a `static let` initialiser runs exactly once).
    private static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Bootstraps swift-metrics with a `PrometheusMetricsFactory` (once per process) and
    /// returns the registry that `/metrics` should expose.
    ///
    /// Every `Counter`, `Timer`, `Meter`… created through swift-metrics, including
    /// Hummingbird's `MetricsMiddleware`, lands in this registry. Calling it again returns the
    /// same registry. Tests should not call it: create a private `PrometheusCollectorRegistry`
    /// and pass it to ``MetricsController`` instead.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        processRegistry
    }
}
