import ArgumentParser
import FleetMQTT
import Foundation

/// `fleetctl mqtt pub|sub`: publish and watch raw topics.
struct MQTTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt",
        abstract: "Publish to and subscribe on the broker.",
        subcommands: [Publish.self, Subscribe.self]
    )

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pub",
            abstract: "Publish one message, a file, or each line of standard input.",
            discussion: "With QoS 1 the command returns once the broker acknowledged every message, and exits 1 if it refused any."
        )

        @OptionGroup var connection: MQTTOptions
        @Option(name: .shortAndLong, help: "Topic to publish to.") var topic: String
        @Option(name: .shortAndLong, help: "Message text.") var message: String?
        @Option(name: .shortAndLong, help: "Send this file's bytes as one message.") var file: String?
        @Flag(name: [.customShort("l"), .long], help: "Send each line of standard input as a message.") var lines = false
        @Option(name: .shortAndLong, help: "QoS 0, 1 or 2.") var qos: MQTTQoS = .atLeastOnce
        @Flag(name: .shortAndLong, help: "Ask the broker to retain the message.") var retain = false

        func validate() throws {
            let sources = [message != nil, file != nil, lines].filter { $0 }.count
            guard sources == 1 else { throw ValidationError("give exactly one of --message, --file or --lines") }
        }

        func run() async throws {
            let topic = topic, qos = qos, retain = retain
            let payloads: [[UInt8]]
            if let message {
                payloads = [Array(message.utf8)]
            } else if let file {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                payloads = [Array(data)]
            } else {
                var collected: [[UInt8]] = []
                while let line = Swift.readLine() { collected.append(Array(line.utf8)) }
                payloads = collected
            }
            try await MQTTClient.withConnection(
                configuration: connection.configuration(clientID: MQTTOptions.clientID("pub")),
                logger: connection.logger,
                connectTimeout: .seconds(connection.connectTimeout)
            ) { client in
                for payload in payloads {
                    try await client.publish(payload, to: topic, qos: qos, retain: retain)
                }
            }
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sub",
            abstract: "Print messages from a topic filter (wildcards and $share/{group}/ allowed)."
        )

        enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var connection: MQTTOptions
        @Option(name: .shortAndLong, help: "Topic filter.") var topic: String
        @Option(name: .shortAndLong, help: "QoS 0, 1 or 2.") var qos: MQTTQoS = .atLeastOnce
        @Option(name: .shortAndLong, help: "Exit after this many messages.") var count: Int?
        @Option(name: .shortAndLong, help: "Output: text (topic and payload) or json (one object per line).") var output: Output = .text

        func run() async throws {
            let topic = topic, qos = qos, count = count, output = output
            try await MQTTClient.withConnection(
                configuration: connection.configuration(clientID: MQTTOptions.clientID("sub")),
                logger: connection.logger,
                connectTimeout: .seconds(connection.connectTimeout)
            ) { client in
                let subscription = try await client.subscribe(to: topic, qos: qos)
                var seen = 0
                for await message in subscription {
                    // Unbuffered, so `fleetctl mqtt sub | other-tool` sees each message as it arrives.
                    FileHandle.standardOutput.write(Data((Self.render(message, as: output) + "\n").utf8))
                    seen += 1
                    if let count, seen >= count { break }
                }
            }
        }

        static func render(_ message: MQTTMessage, as output: Output) -> String {
            switch output {
            case .text:
                return "\(message.topic) \(message.payloadString)"
            case .json:
                let text = String(validating: message.payload, as: UTF8.self)
                var object: [String: Any] = ["topic": message.topic, "qos": Int(message.qos.rawValue), "retain": message.retain]
                if let text { object["payload"] = text } else { object["payload_base64"] = Data(message.payload).base64EncodedString() }
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                return String(decoding: data, as: UTF8.self)
            }
        }
    }
}
