import FleetTestSupport
import Foundation
import Glibc
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `fleetctl broker exporter` against a real Mosquitto: the broker's $SYS statistics become Prometheus metrics, and
/// losing the broker turns `fleet_broker_up` to 0 and readiness to 503.
@Suite("Broker exporter")
struct BrokerExporterTests {
    /// Samples of an exposition without labels: name → value.
    private static func samples(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    private static func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("Serves $SYS as fleet_broker_* metrics and reports the broker gone when it stops")
    func exportsAndNoticesLoss() async throws {
        let broker = try TestBroker(extraConfiguration: ["sys_interval 1"], persistence: false)
        let port = try TestBroker.freePort()
        let executable = try BuildProducts.executable(named: "fleetctl")
        let directory = try ChildProcess.temporaryDirectory("broker-exporter")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pid = try ChildProcess.spawn(
            executable,
            ["broker", "exporter", "--host", "127.0.0.1", "--port", "\(broker.port)", "--listen", "127.0.0.1:\(port)", "--stale-after", "3"],
            environment: ChildProcess.cleanEnvironment(), stdoutPath: directory.appendingPathComponent("stdout").path,
            stderrPath: directory.appendingPathComponent("stderr").path)
        defer { _ = ChildProcess.terminate(pid) }
        let base = "http://127.0.0.1:\(port)"

        var metrics: [String: Double] = [:]
        try await eventually("the exporter reports the broker up with a client connected") {
            metrics = Self.samples(try await Self.get("\(base)/metrics").body)
            return metrics["fleet_broker_up"] == 1 && (metrics["fleet_broker_clients_connected"] ?? 0) >= 1
                && (metrics["fleet_broker_uptime_seconds"] ?? 0) >= 1
        }
        let text = try await Self.get("\(base)/metrics").body
        #expect(text.contains("# TYPE fleet_broker_messages_received_total counter"))
        #expect(text.contains("# TYPE fleet_broker_messages_stored gauge"))
        #expect((metrics["fleet_broker_messages_sent_total"] ?? 0) > 0)
        #expect(try await Self.get("\(base)/health/ready").status == 200)

        broker.stop()
        try await eventually("fleet_broker_up drops to 0 once $SYS updates stop", seconds: 20) {
            Self.samples(try await Self.get("\(base)/metrics").body)["fleet_broker_up"] == 0
        }
        #expect(try await Self.get("\(base)/health/ready").status == 503)
        #expect(ChildProcess.state(pid) == .running)

        try broker.start()
        try await eventually("the exporter reconnects and reports the broker up again", seconds: 30) {
            Self.samples(try await Self.get("\(base)/metrics").body)["fleet_broker_up"] == 1
        }
        #expect(ChildProcess.terminate(pid) == .exited(0))
    }

    @Test("Refuses a malformed --listen address with a usage error")
    func badListen() async throws {
        let result = try await Fleetctl.run(["broker", "exporter", "--listen", "nowhere"])
        #expect(result.exitCode == FleetctlExit.usage)
        #expect(result.stderr.contains("--listen must be host:port"))
    }
}
