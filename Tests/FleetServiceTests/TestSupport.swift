import FleetService
import FleetTestSupport
import Logging
import Prometheus

/// A runtime with a private metrics registry and no process-wide bootstrap.
func makeTestRuntime(
    http: HTTPServerConfiguration = .init(),
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> FleetServiceRuntime {
    FleetServiceRuntime(
        configuration: FleetConfiguration(serviceName: "fleet-test", http: http),
        logger: silentLogger,
        metricsRegistry: registry
    )
}
