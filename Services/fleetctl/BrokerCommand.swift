import ArgumentParser
import FleetMQTT
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// `fleetctl broker …`: the broker seen from outside.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Broker operations.",
        subcommands: [Exporter.self]
    )

    /// `fleetctl broker exporter`: serves Mosquitto's `$SYS` statistics as Prometheus metrics.
    struct Exporter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exporter",
            abstract: "Serve the broker's $SYS statistics at /metrics for Prometheus (job fleet-broker).",
            discussion: """
                Subscribes to $SYS/broker/# with the given account (it needs read access to $SYS; the fleetctl \
                account has it) and serves GET /metrics, /health/live and /health/ready (ready while connected and \
                $SYS updates arrive). Metrics: docs/metrics.md#broker-exporter. Stops on SIGTERM or SIGINT.
                """
        )

        @OptionGroup var connection: MQTTOptions

        @Option(help: "Address to serve /metrics on (host:port).") var listen = "127.0.0.1:8090"

        @Option(help: "Seconds without a $SYS update after which fleet_broker_up is 0 (3 × Mosquitto's sys_interval of 10 s).")
        var staleAfter: Double = 30

        func validate() throws {
            _ = try address()
            guard staleAfter > 0 else { throw ValidationError("--stale-after must be positive") }
        }

        private func address() throws -> (host: String, port: Int) {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port)
            else { throw ValidationError("--listen must be host:port (got \(listen))") }
            return (String(listen[..<colon]), port)
        }

        func run() async throws {
            let (host, port) = try address()
            var logger = Logger(label: "fleet-broker-exporter") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = connection.verbose ? .debug : .info
            let client = try MQTTClient(configuration: connection.configuration(clientID: MQTTOptions.clientID("exporter")), logger: logger)
            let stats = SharedBrokerStats(BrokerStats(staleAfter: staleAfter))
            let router = Router()
            router.get("metrics") { _, _ in
                let text = stats.state.withLock { $0.exposition(at: Date()) }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            router.get("health/live") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"alive"}"#))) }
            router.get("health/ready") { _, _ in
                let ready = client.isConnected && stats.state.withLock { $0.isUp(at: Date()) }
                return Response(
                    status: ready ? .ok : .serviceUnavailable,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? #"{"status":"ready"}"# : #"{"status":"unavailable"}"#)))
            }
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: "fleet-broker-exporter"),
                services: [client, SysCollector(client: client, stats: stats, logger: logger)],
                logger: logger)
            try await app.runService()
        }
    }
}

/// Subscribes to `$SYS/broker/#` and keeps the latest values in `stats`.
private struct SysCollector: Service {
    let client: MQTTClient
    let stats: SharedBrokerStats
    let logger: Logger

    func run() async throws {
        let subscription = try await client.subscribe(to: "$SYS/broker/#", qos: .atMostOnce, bufferCapacity: 1_000)
        logger.info("Collecting $SYS statistics", metadata: ["mqtt.host": .string(client.configuration.host)])
        for await message in subscription.cancelOnGracefulShutdown() {
            stats.state.withLock { _ = $0.record(topic: message.topic, payload: message.payloadString, at: Date()) }
        }
    }
}

/// The statistics shared by the collector (writes) and the HTTP handlers (reads).
private final class SharedBrokerStats: Sendable {
    let state: Mutex<BrokerStats>
    init(_ stats: BrokerStats) { state = Mutex(stats) }
}
