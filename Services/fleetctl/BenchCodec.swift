import ArgumentParser
import FleetCore
import Foundation

/// `fleetctl bench codec`: telemetry encode/decode rates of both wire formats.
struct BenchCodec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Telemetry messages encoded and decoded (parsed and validated) per second, JSON and binary."
    )

    @Option(help: "Distinct sample messages.") var messages = 10_000
    @Option(help: "Passes over the samples.") var iterations = 20

    func run() async throws {
        emit("format   encode msg/s   decode msg/s   (\(messages) telemetry samples × \(iterations) passes, one core)")
        for format in WireFormat.allCases {
            let result = CodecBenchmark.run(format: format, messages: messages, iterations: iterations)
            emit(
                format.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0),
                String(Int(result.encodePerSecond)).leftPadded(12),
                String(Int(result.decodePerSecond)).leftPadded(14)
            )
        }
    }
}

/// Writes one line to standard output at once (no buffering), so progress is visible through pipes.
func emit(_ items: String..., separator: String = " ") {
    FileHandle.standardOutput.write(Data((items.joined(separator: separator) + "\n").utf8))
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
