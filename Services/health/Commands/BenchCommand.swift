import ArgumentParser
import AsyncHTTPClient
import FleetCore
import FleetMQTT
import Foundation
import Logging
import NIOCore
import Synchronization

/// `fleet-health bench`: what a running fleet-health costs per telemetry message and per vehicle, read from `/proc` of
/// its process while this command publishes a steady stream through the broker.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "CPU per telemetry message and memory per vehicle of a running fleet-health, under a steady stream.",
        discussion: """
            Publishes telemetry for --vehicles vehicles round-robin at --rate messages/s for --duration s (QoS 1) to the broker
            of FLEET_MQTT_HOST/PORT/USERNAME/PASSWORD, and reads the service's CPU time (/proc/<pid>/stat, user + system) and
            resident memory (/proc/<pid>/status) before and after, and its accepted-message count from its /metrics.
            CPU per message = CPU time used ÷ telemetry messages the service accepted meanwhile (everything the process does:
            MQTT, decoding, validation, rules, anomaly detectors, flushes). Memory per vehicle = RSS growth ÷ vehicles added.
            """)

    @Option(help: "Vehicles (each a distinct id).") var vehicles = 100_000
    @Option(help: "Messages per second.") var rate = 20_000
    @Option(help: "Seconds of publishing.") var duration = 30
    @Option(help: "MQTT connections publishing in parallel.") var connections = 2
    @Option(help: "QoS 1 publishes in flight per connection.") var window = 512
    @Option(help: "fleet-health's pid (default: .stack/run/fleet-health.pid).") var pid: Int32?
    @Option(help: "fleet-health's metrics URL.") var metrics = "http://127.0.0.1:8084/metrics"
    @Option(help: "Wire format the vehicles publish: json or binary.") var format = "json"
    @Option(help: "Vehicle id prefix (a new one per run keeps runs apart).") var prefix = "hb\(Int(Date().timeIntervalSince1970) % 100_000)"

    func run() async throws {
        guard vehicles > 0, rate > 0, duration > 0, connections > 0, window > 0 else { throw ValidationError("all counts must be positive") }
        guard let wireFormat = WireFormat(rawValue: format) else { throw ValidationError("--format must be json or binary") }
        let environment = ProcessInfo.processInfo.environment
        let stack = environment["FLEET_STACK_DIR"] ?? ".stack"
        guard let pid = pid ?? (try? String(contentsOfFile: "\(stack)/run/fleet-health.pid", encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else { throw ValidationError("no --pid and no \(stack)/run/fleet-health.pid: start fleet-health (scripts/run.sh) or pass --pid") }
        guard let cpu0 = ProcessUsage.cpuSeconds(pid: pid), let rss0 = ProcessUsage.residentKiB(pid: pid) else {
            throw ValidationError("process \(pid) not found in /proc")
        }
        let accepted0 = try await Self.accepted(metrics)
        let total = rate * duration
        print("bench: \(vehicles) vehicles, \(rate) msg/s for \(duration) s (\(total) \(format) messages) into fleet-health pid \(pid); RSS before \(rss0 / 1024) MiB")

        let host = environment["FLEET_MQTT_HOST"] ?? "127.0.0.1"
        let port = Int(environment["FLEET_MQTT_PORT"] ?? "") ?? 1883
        let ids = try (0..<vehicles).map { try VehicleID("\(prefix)-\($0)") }
        let clock = ContinuousClock()
        let start = clock.now
        let logger = {
            var logger = Logger(label: "fleet-health-bench")
            logger.logLevel = .warning
            return logger
        }()
        let (connections, window, rate) = (connections, window, rate)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<connections {
                var configuration = MQTTConfiguration(
                    host: host, port: port, clientID: "fleet-health-bench-\(prefix)-\(c)", username: environment["FLEET_MQTT_USERNAME"],
                    password: environment["FLEET_MQTT_PASSWORD"])
                configuration.inflightWindow = window
                let connection = configuration
                group.addTask {
                    try await MQTTClient.withConnection(configuration: connection, logger: logger) { client in
                        try await withThrowingTaskGroup(of: Void.self) { lanes in
                            let lanesTotal = connections * window
                            for w in 0..<window {
                                let lane = c * window + w
                                lanes.addTask {
                                    var i = lane
                                    while i < total {
                                        let due = start + .seconds(Double(i) / Double(rate))
                                        if clock.now < due { try await Task.sleep(until: due, clock: clock) }
                                        let vehicle = i % ids.count
                                        let seq = UInt64(i / ids.count + 1)
                                        try await client.publish(try FleetCodec.encode(Self.sample(ids[vehicle], seq: seq, index: vehicle), format: wireFormat), to: VehicleChannel.telemetry.topic(for: ids[vehicle]))
                                        i += lanesTotal
                                    }
                                }
                            }
                            try await lanes.waitForAll()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let published = clock.now - start
        // Until the service has taken everything (or stops moving for 10 s).
        var accepted = try await Self.accepted(metrics)
        var lastChange = clock.now
        while accepted - accepted0 < Double(total), clock.now - lastChange < .seconds(10) {
            try await Task.sleep(for: .milliseconds(250))
            let now = try await Self.accepted(metrics)
            if now != accepted { lastChange = clock.now }
            accepted = now
        }
        // One more sweep interval, so the last flush is in the figure too.
        try await Task.sleep(for: .seconds(2.5))
        guard let cpu1 = ProcessUsage.cpuSeconds(pid: pid), let rss1 = ProcessUsage.residentKiB(pid: pid) else {
            throw ValidationError("process \(pid) ended during the benchmark")
        }
        let messages = accepted - accepted0
        let seconds = Double(published.components.seconds) + Double(published.components.attoseconds) / 1e18
        print(String(format: "published %d messages in %.1f s (%.0f msg/s); fleet-health accepted %.0f", total, seconds, Double(total) / seconds, messages))
        print(String(format: "fleet-health CPU: %.2f s for %.0f messages = %.2f µs per telemetry message (target ≤ 10)", cpu1 - cpu0, messages,
            (cpu1 - cpu0) / max(messages, 1) * 1e6))
        print(String(format: "fleet-health RSS: %d MiB before, %d MiB after %d new vehicles (%.0f bytes per vehicle; 100,000 vehicles ≈ %.0f MiB, target ≤ 300)",
            rss0 / 1024, rss1 / 1024, vehicles, Double(rss1 - rss0) * 1024 / Double(vehicles), Double(rss1) / 1024 + Double(rss1 - rss0) / 1024 * (100_000 / Double(vehicles) - 1)))
        if messages < Double(total) { throw ValidationError("fleet-health accepted \(Int(messages)) of \(total) messages") }
    }

    /// A plausible sample: moving, battery and temperature in their normal ranges.
    static func sample(_ id: VehicleID, seq: UInt64, index: Int) -> Telemetry {
        Telemetry(
            vehicleID: id, sequence: seq, deviceTimeMillis: TimestampPolicy.millis(from: .now),
            position: Position(latitude: 43.73 + Double(index % 100) * 0.0002, longitude: 7.42 + Double(seq % 100) * 0.0002),
            speedMetersPerSecond: 8 + Double(seq % 5), headingDegrees: 90, odometerMeters: Double(seq) * 8, batteryPercent: 90 - Double(seq % 3),
            engineTemperatureCelsius: 80 + Double(seq % 4), rpm: 1_800 + Double(seq % 7) * 20, status: .moving)
    }

    /// `fleet_health_messages_total{stream="telemetry",outcome="accepted"}` from the service's metrics.
    static func accepted(_ url: String) async throws -> Double {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        for line in text.split(separator: "\n") where line.hasPrefix("fleet_health_messages_total{")
            && line.contains("stream=\"telemetry\"") && line.contains("outcome=\"accepted\"")
        {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}

/// CPU time and resident memory of a process, from `/proc`.
enum ProcessUsage {
    /// User + system CPU seconds (`/proc/<pid>/stat` fields 14 and 15).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` in KiB.
    static func residentKiB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
