import FleetCore
import FleetMQTT
import FleetSimulation
import FleetTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Runs a ``SimulatorService`` and a test-side MQTT client against a ``TestBroker`` for the duration of a test.
struct SimulatorHarness {
    static func clientConfiguration(_ broker: TestBroker, _ name: String) -> MQTTConfiguration {
        MQTTConfiguration(
            host: "127.0.0.1", port: broker.port, clientID: "\(name)-\(UUID().uuidString.prefix(8))",
            reconnectDelayMin: .milliseconds(50), reconnectDelayMax: .milliseconds(400))
    }

    /// Starts the simulator for `model`, runs `body` with the gateway and a connected test client, then stops both.
    static func run<Model: FleetModel, Result: Sendable>(
        broker: TestBroker,
        model: Model,
        configuration: GatewayConfiguration,
        beforeStart: (MQTTClient) async throws -> Void = { _ in },
        _ body: (SimulationGateway<Model>, MQTTClient) async throws -> Result
    ) async throws -> Result {
        try await MQTTClient.withConnection(configuration: clientConfiguration(broker, "test"), logger: silentLogger) { tester in
            try await beforeStart(tester)
            let client = try MQTTClient(configuration: clientConfiguration(broker, "sim"), logger: silentLogger)
            let gateway = SimulationGateway(model: model, configuration: configuration, logger: silentLogger)
            let simulator = SimulatorService(gateway: gateway, client: client, logger: silentLogger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await simulator.run() }
                defer {
                    group.cancelAll()
                    client.shutdown()
                }
                return try await body(gateway, tester)
            }
        }
    }
}

extension Collector {
    /// Decoded telemetry of `vehicle`, in arrival order.
    func telemetry(of vehicle: String) -> [Telemetry] {
        all.filter { $0.topic == "fleet/v1/vehicles/\(vehicle)/telemetry" }
            .compactMap { try? FleetCodec.decode(Telemetry.self, from: $0.payload) }
    }

    /// Decoded acknowledgements of `command`.
    func acks(of command: String) -> [CommandAck] {
        all.compactMap { try? FleetCodec.decode(CommandAck.self, from: $0.payload) }.filter { $0.commandID.rawValue == command }
    }
}

func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
