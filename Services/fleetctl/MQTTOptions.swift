import ArgumentParser
import FleetMQTT
import Foundation
import Logging

/// Broker connection flags shared by every subcommand; defaults come from the FLEET_MQTT_* environment.
struct MQTTOptions: ParsableArguments {
    private static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Broker host (FLEET_MQTT_HOST).")
    var host: String = environment["FLEET_MQTT_HOST"] ?? "127.0.0.1"

    @Option(help: "Broker port (FLEET_MQTT_PORT).")
    var port: Int = Int(environment["FLEET_MQTT_PORT"] ?? "") ?? 11883

    @Option(name: .customLong("username"), help: "User name (default: FLEET_MQTT_USERNAME).")
    var usernameFlag: String?

    @Option(name: .customLong("password"), help: "Password (default: FLEET_MQTT_PASSWORD).")
    var passwordFlag: String?

    /// The flag if given, else the environment.
    var username: String? { usernameFlag ?? Self.environment["FLEET_MQTT_USERNAME"] }
    var password: String? { passwordFlag ?? Self.environment["FLEET_MQTT_PASSWORD"] }

    @Option(help: "Seconds to wait for the broker connection.")
    var connectTimeout: Double = 10

    @Flag(help: "Log connection events to stderr.")
    var verbose = false

    func configuration(clientID: String) -> MQTTConfiguration {
        MQTTConfiguration(host: host, port: port, clientID: clientID, username: username, password: password, metricsLabel: "fleetctl")
    }

    var logger: Logger {
        var logger = Logger(label: "fleetctl") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .info : .error
        return logger
    }

    static func clientID(_ purpose: String) -> String {
        "fleetctl-\(purpose)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

extension MQTTQoS: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = Int32(argument), let qos = MQTTQoS(rawValue: value) else { return nil }
        self = qos
    }
}
