import ArgumentParser
import FleetMQTT
import Foundation
import Synchronization

/// `fleetctl bench mqtt`: end-to-end publish → receive rate through FleetMQTT, beside Mosquitto's own C tools
/// (`mosquitto_pub -l` → `mosquitto_sub`) measured in the same run against the same broker.
struct BenchMQTT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt",
        abstract: "Messages per second through FleetMQTT and through mosquitto_pub/mosquitto_sub on the same broker.",
        discussion: """
            Each run subscribes first, then publishes --messages payloads of --payload-size bytes as fast as possible and
            measures from the first publish to the last message received. Targets: FleetMQTT at least 0.8 × the C tools
            at QoS 0, and no message lost at QoS 1 (exit status 1 if any is). Start the stack first (scripts/stack.sh start).
            """
    )

    @OptionGroup var connection: MQTTOptions
    @Option(help: "Messages per run.") var messages = 100_000
    @Option(help: "Payload bytes per message (at least 8).") var payloadSize = 200
    @Option(help: "Concurrent QoS 1 publishers in FleetMQTT.") var window = 512
    @Option(help: "Seconds without progress before a run is declared finished (with losses).") var idleTimeout: Double = 5
    @Flag(help: "Skip the C tools (e.g. when mosquitto-clients is not installed).") var skipCTools = false

    struct Result {
        var received: Int
        var lost: Int
        var duplicates: Int
        var seconds: Double
        var rate: Double { Double(received) / max(seconds, 1e-9) }
    }

    func validate() throws {
        guard messages > 0, payloadSize >= 8 else { throw ValidationError("--messages must be positive and --payload-size at least 8") }
    }

    func run() async throws {
        let runID = UInt32.random(in: 0...UInt32.max)
        emit("bench mqtt: \(messages) messages of \(payloadSize) B per run, broker \(connection.host):\(connection.port)")
        emit("mode    FleetMQTT msg/s   C tools msg/s   ratio   FleetMQTT lost/dup   C tools lost/dup")
        var qos1Lost = 0
        for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
            let topic = "fleet/bench/\(runID)/q\(qos.rawValue)"
            let ours = try await measureFleetMQTT(topic: topic + "/swift", qos: qos)
            let theirs = skipCTools ? nil : try await measureCTools(topic: topic + "/c", qos: qos)
            if qos == .atLeastOnce { qos1Lost = ours.lost }
            let ratio = theirs.map { String(format: "%.2f", ours.rate / max($0.rate, 1)) } ?? "-"
            emit(
                "QoS \(qos.rawValue)".padding(toLength: 6, withPad: " ", startingAt: 0),
                String(Int(ours.rate)).leftPadded(16),
                (theirs.map { String(Int($0.rate)) } ?? "-").leftPadded(15),
                ratio.leftPadded(7),
                "\(ours.lost)/\(ours.duplicates)".leftPadded(20),
                (theirs.map { "\($0.lost)/\($0.duplicates)" } ?? "-").leftPadded(18)
            )
        }
        if qos1Lost > 0 { throw FleetctlError("FleetMQTT lost \(qos1Lost) QoS 1 messages") }
    }

    /// The payload of message `index`: its decimal index, zero-padded to 8 digits, then filler up to the size.
    func payload(_ index: Int) -> [UInt8] {
        var bytes = Array(String(format: "%08d", index).utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: payloadSize - bytes.count))
        return bytes
    }

    func measureFleetMQTT(topic: String, qos: MQTTQoS) async throws -> Result {
        let total = messages, window = window
        let payloads = (0..<total).map(payload)
        let subscriberConfig = connection.configuration(clientID: MQTTOptions.clientID("bench-sub"))
        let publisherConfig = connection.configuration(clientID: MQTTOptions.clientID("bench-pub"))
        let timeout = Duration.seconds(connection.connectTimeout)
        return try await MQTTClient.withConnection(configuration: subscriberConfig, logger: connection.logger, connectTimeout: timeout) { subscriber in
            let subscription = try await subscriber.subscribe(to: topic, qos: qos, bufferCapacity: total, overflow: .dropNewest)
            let tally = Tally(expected: total)
            return try await MQTTClient.withConnection(configuration: publisherConfig, logger: connection.logger, connectTimeout: timeout) { publisher in
                let clock = ContinuousClock()
                let start = clock.now
                let consumer = Task {
                    for await message in subscription {
                        if tally.record(message.payload, at: clock.now) { break }
                    }
                }
                if qos == .atMostOnce {
                    for payload in payloads { try await publisher.publish(payload, to: topic, qos: .atMostOnce) }
                } else {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for lane in 0..<min(window, total) {
                            group.addTask {
                                for index in stride(from: lane, to: total, by: window) {
                                    try await publisher.publish(payloads[index], to: topic, qos: qos)
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                try await tally.waitUntilDoneOrIdle(idle: .seconds(idleTimeout))
                consumer.cancel()
                return tally.result(since: start, expected: total)
            }
        }
    }

    func measureCTools(topic: String, qos: MQTTQoS) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetctl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.txt")
        let output = directory.appendingPathComponent("out.txt")
        var text = [UInt8]()
        text.reserveCapacity(messages * (payloadSize + 1))
        for index in 0..<messages {
            text += payload(index)
            text.append(UInt8(ascii: "\n"))
        }
        try Data(text).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)

        var common = ["-h", connection.host, "-p", String(connection.port), "-V", "mqttv5", "-q", String(qos.rawValue), "-t", topic]
        if let username = connection.username { common += ["-u", username] }
        if let password = connection.password { common += ["-P", password] }
        let expected = messages
        let sink = try FileHandle(forWritingTo: output)
        let clock = ContinuousClock()
        let subscriber = try ExternalProcess("mosquitto_sub", common + ["-C", String(expected)], stdout: sink)
        // mosquitto_sub has no "subscribed" signal; give it time to connect and subscribe.
        try await Task.sleep(for: .milliseconds(700))
        let start = clock.now
        let source = try FileHandle(forReadingFrom: input)
        let publishStatus = try await ExternalProcess.run("mosquitto_pub", common + ["-l"], stdin: source)
        // mosquitto_sub exits by itself after `expected` messages; if some never come, stop it once output stops growing.
        var lastSize: UInt64 = 0
        var lastGrowth = clock.now
        while true {
            let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? UInt64) ?? 0
            if size != lastSize { lastSize = size; lastGrowth = clock.now }
            if clock.now - lastGrowth > .seconds(idleTimeout) { await subscriber.terminate(); break }
            if size >= UInt64(expected * (payloadSize + 1)) { break }  // mosquitto_sub exits after -C messages
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = await subscriber.wait()
        let elapsed = lastGrowth - start
        try sink.close()
        try source.close()
        guard publishStatus == 0 else { throw FleetctlError("mosquitto_pub exited with status \(publishStatus)") }

        let lines = (try String(contentsOf: output, encoding: .utf8)).split(separator: "\n")
        var seen = Set<Substring>()
        var duplicates = 0
        for line in lines where !seen.insert(line.prefix(8)).inserted { duplicates += 1 }
        return Result(received: seen.count, lost: expected - seen.count, duplicates: duplicates, seconds: elapsed.seconds)
    }
}

/// Counts received messages by their index and remembers when the last new one arrived.
final class Tally: Sendable {
    private struct State {
        var seen: [Bool]
        var distinct = 0
        var duplicates = 0
        var last: ContinuousClock.Instant?
    }
    private let state: Mutex<State>

    init(expected: Int) { state = Mutex(State(seen: Array(repeating: false, count: expected))) }

    /// Records one payload; returns `true` once every expected index has arrived.
    func record(_ payload: [UInt8], at now: ContinuousClock.Instant) -> Bool {
        let index = payload.prefix(8).reduce(0) { $0 * 10 + Int($1) - 48 }
        return state.withLock { s in
            guard index >= 0, index < s.seen.count else { return false }
            if s.seen[index] { s.duplicates += 1 } else { s.seen[index] = true; s.distinct += 1; s.last = now }
            return s.distinct == s.seen.count
        }
    }

    var distinct: Int { state.withLock { $0.distinct } }

    func waitUntilDoneOrIdle(idle: Duration) async throws {
        var lastCount = -1
        var idleSince = ContinuousClock.now
        while true {
            let (count, expected) = state.withLock { ($0.distinct, $0.seen.count) }
            if count == expected { return }
            if count != lastCount { lastCount = count; idleSince = .now }
            if ContinuousClock.now - idleSince > idle { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func result(since start: ContinuousClock.Instant, expected: Int) -> BenchMQTT.Result {
        state.withLock { s in
            let end = s.last ?? start
            return BenchMQTT.Result(received: s.distinct, lost: expected - s.distinct, duplicates: s.duplicates, seconds: (end - start).seconds)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
