import FleetService
import Logging
import Prometheus

/// A logger that discards everything, so tests do not depend on the global backend.
let silentLogger = Logger(label: "fleet.tests") { _ in SwiftLogNoOpLogHandler() }

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
