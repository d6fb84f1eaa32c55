import ArgumentParser
import AsyncHTTPClient
import FleetCore
import FleetMQTT
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `fleetctl bench ingest`: telemetry for N vehicles at a target rate through the broker (QoS 1) into a
/// running fleet-tracking, measured until every message is acknowledged as committed and queryable.
struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Sustained ingest rate, publish → committed latency and loss of a running fleet-tracking.",
        discussion: """
            Needs the stack and fleet-tracking running (scripts/run.sh). Publishes Telemetry for --vehicles vehicles
            round-robin at --rate messages/s for --duration seconds over --connections MQTT connections (QoS 1, each
            publish waits for its PUBACK, --window in flight per connection). Latency is measured from the publish to the
            acknowledgement that covers it: with --acks stream (default) the commit stream fleet/v1/commits/+ (one
            CommitBatch per shard and 20 ms tick, as gateways read it); with --acks vehicle the retained per-vehicle
            acknowledgement on fleet/v1/vehicles/{id}/telemetry/committed (at most one per vehicle per
            FLEET_TRACKING_COMMIT_INTERVAL_MILLIS, so the latency includes up to that interval). At the end every
            vehicle's committed_seq is read back through the HTTP API: lost = published - committed (exit 1 if > 0); a gap
            that fleet-tracking skipped after FLEET_TRACKING_GAP_TIMEOUT_SECONDS (event sequence_gap) also means loss,
            since this load generator, unlike a vehicle, does not resend (exit 1 if any).
            Also prints the service's peak RSS (from /proc, --service-pid or .stack/run/fleet-tracking.pid) and, for
            scale, Mosquitto's C tools' raw rate on the same broker (skip with --skip-c-tools).
            """
    )

    @OptionGroup var connection: MQTTOptions
    @Option(help: "Simulated vehicles.") var vehicles = 2_000
    @Option(help: "Target messages per second.") var rate = 30_000
    @Option(help: "Seconds of publishing.") var duration = 60
    @Option(help: "MQTT connections publishing in parallel.") var connections = 4
    @Option(help: "QoS 1 publishes in flight per connection.") var window = 256
    @Option(help: "fleet-tracking base URL (FLEET_TRACKING_URL, or the fleetctl login profile).")
    var trackingURL = ProcessInfo.processInfo.environment["FLEET_TRACKING_URL"] ?? FleetctlProfile.current.trackingURL ?? "http://127.0.0.1:8081"
    @Option(help: "Token with fleet:read for fleet-tracking (default: FLEET_TOKEN, or the one saved by fleetctl login).") var token: String?
    @Option(help: "PID of the fleet-tracking process (default: .stack/run/fleet-tracking.pid).") var servicePid: Int32?
    @Option(help: "Seconds to wait for the last acknowledgements.") var drainTimeout = 60
    @Flag(help: "Skip the Mosquitto C tools baseline.") var skipCTools = false
    @Flag(help: "Skip the FleetMQTT-only pipeline and C tools baselines measured after the run.") var skipPipeline = false
    @Option(help: "Seconds of idle CPU measured before the run, subtracted in the \"above idle\" column (0: none).") var idleSeconds = 10
    @Option(help: "Acknowledgements the latency is measured to: stream (the commit stream) or vehicle (per-vehicle, rate-limited).")
    var acks = AcknowledgementSource.stream

    /// Which acknowledgements a bench run follows.
    enum AcknowledgementSource: String, ExpressibleByArgument, CaseIterable {
        /// `fleet/v1/commits/+`: ``CommitBatch``, one per shard and tick.
        case stream
        /// `fleet/v1/vehicles/+/telemetry/committed`: retained ``TelemetryCommit``, rate-limited per vehicle.
        case vehicle
    }

    func validate() throws {
        guard vehicles > 0, rate > 0, duration > 0, connections > 0, window > 0, idleSeconds >= 0 else {
            throw ValidationError("--vehicles, --rate, --duration, --connections and --window must be positive, --idle-seconds at least 0")
        }
    }

    func run() async throws {
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let ids = (0..<vehicles).map { try! VehicleID(String(format: "bench-\(run)-%05d", $0)) }
        let total = rate * duration
        let perVehicle = (total + vehicles - 1) / vehicles
        let ledger = Ledger(vehicles: vehicles, perVehicle: perVehicle)
        let pid = servicePid ?? Self.pidFromStack()
        emit("bench ingest: \(vehicles) vehicles, \(rate) msg/s for \(duration) s (\(total) messages), \(connections)×\(window) QoS 1 in flight, acknowledgements: \(acks.rawValue), run \(run)")

        let subscriberConfig = connection.configuration(clientID: MQTTOptions.clientID("bench-ingest-acks"))
        let timeout = Duration.seconds(connection.connectTimeout)
        let clock = ContinuousClock()
        var sustained = 0.0
        var meter: CPUMeter?
        var idleRates: [String: Double] = [:]
        var measuredSeconds = 0.0
        var cpu: [(name: String, seconds: Double?)] = []
        try await MQTTClient.withConnection(configuration: subscriberConfig, logger: connection.logger, connectTimeout: timeout) { subscriber in
            let ackSource = acks
            let acks = try await subscriber.subscribe(
                to: ackSource == .stream ? FleetTopics.allCommits : VehicleChannel.telemetryCommitted.filter, qos: .atMostOnce,
                bufferCapacity: 1_000_000, overflow: .backPressure)
            // A skipped gap advances committed_seq over messages that were never stored: counted as loss below.
            let gaps = try await subscriber.subscribe(
                to: FleetTopic.events(.sequenceGap).name, qos: .atLeastOnce, bufferCapacity: 100_000, overflow: .backPressure)
            let gapTask = Task {
                for await message in gaps {
                    if let event = try? FleetCodec.decode(FleetEvent.self, from: message.payload),
                        event.vehicleID?.rawValue.hasPrefix("bench-\(run)-") == true
                    {
                        ledger.gapSkipped()
                    }
                }
            }
            defer { gapTask.cancel() }
            let prefix = "bench-\(run)-"
            let ackTask = Task {
                for await message in acks {
                    let commits: [TelemetryCommit]
                    switch ackSource {
                    case .stream: commits = (try? FleetCodec.decode(CommitBatch.self, from: message.payload))?.telemetryCommits ?? []
                    case .vehicle: commits = (try? FleetCodec.decode(TelemetryCommit.self, from: message.payload)).map { [$0] } ?? []
                    }
                    let now = clock.now
                    for commit in commits where commit.vehicleID.rawValue.hasPrefix(prefix) {
                        guard let index = Int(commit.vehicleID.rawValue.dropFirst(prefix.count)) else { continue }
                        ledger.acknowledge(vehicle: index, upTo: Int(commit.sequence), at: now)
                    }
                }
            }
            defer { ackTask.cancel() }

            // CPU per stored message, from /proc: the service, the database, the broker, fleet-control (which follows
            // positions) and this load generator, over the same interval.
            var groups: [(name: String, group: ProcessCPU.Group)] = []
            if let pid { groups.append(("fleet-tracking", .pid(pid))) }
            groups.append(("PostgreSQL (all processes)", .postgres))
            if let broker = CPUMeter.brokerPid() { groups.append(("Mosquitto", .pid(broker))) }
            if let control = CPUMeter.stackPid("fleet-control") { groups.append(("fleet-control", .pid(control))) }
            groups.append(("load generator (this fleetctl)", .current))
            // What the same processes use with no bench load (the simulator, the other services' polling, upkeep),
            // so the figures can also be given above that floor.
            if idleSeconds > 0 {
                let idle = CPUMeter(groups: groups)
                try await Task.sleep(for: .seconds(idleSeconds))
                idleRates = Dictionary(
                    idle.elapsed().compactMap { name, seconds in seconds.map { (name, $0 / Double(idleSeconds)) } }, uniquingKeysWith: { a, _ in a })
            }
            meter = CPUMeter(groups: groups)
            let start = clock.now
            let reporter = Task {
                var last = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    let now = ledger.publishedTotal
                    emit("  t=\(Int((clock.now - start).seconds))s published \(now) (\((now - last) / 5)/s), acknowledged \(ledger.acknowledgedCount)")
                    last = now
                }
            }
            defer { reporter.cancel() }
            let (connections, window, rate, vehicles, connection) = (connections, window, rate, vehicles, connection)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<connections {
                    var config = connection.configuration(clientID: MQTTOptions.clientID("bench-ingest-\(c)"))
                    config.inflightWindow = window
                    group.addTask {
                        try await MQTTClient.withConnection(configuration: config, logger: connection.logger, connectTimeout: timeout) { client in
                            try await withThrowingTaskGroup(of: Void.self) { lanes in
                                let lanesTotal = connections * window
                                for w in 0..<window {
                                    let lane = c * window + w
                                    lanes.addTask {
                                        var i = lane
                                        while i < total {
                                            // Paced: message i is due at start + i / rate.
                                            let due = start + .seconds(Double(i) / Double(rate))
                                            if clock.now < due { try await Task.sleep(until: due, clock: clock) }
                                            let vehicle = i % vehicles
                                            let seq = i / vehicles + 1
                                            let telemetry = Telemetry(
                                                vehicleID: ids[vehicle], sequence: UInt64(seq), deviceTimeMillis: TimestampPolicy.millis(from: .now),
                                                position: Position(latitude: 43.73 + Double(vehicle % 100) * 0.0002, longitude: 7.42 + Double(seq % 100) * 0.0002),
                                                speedMetersPerSecond: 8, headingDegrees: 90, odometerMeters: Double(seq) * 8, batteryPercent: 90,
                                                status: .moving)
                                            ledger.published(vehicle: vehicle, seq: seq, at: clock.now)
                                            try await client.publish(try FleetCodec.encode(telemetry), to: VehicleChannel.telemetry.topic(for: ids[vehicle]))
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
            let publishSeconds = (clock.now - start).seconds
            emit(String(format: "published %d messages in %.1f s (%.0f msg/s offered)", total, publishSeconds, Double(total) / publishSeconds))
            // Drain: until every message is acknowledged or nothing moves for --drain-timeout seconds.
            var lastCount = -1
            var lastChange = clock.now
            while ledger.acknowledgedCount < total, clock.now - lastChange < .seconds(drainTimeout) {
                try await Task.sleep(for: .milliseconds(200))
                if ledger.acknowledgedCount != lastCount {
                    lastCount = ledger.acknowledgedCount
                    lastChange = clock.now
                }
            }
            let allAcked = ledger.lastAcknowledgement ?? clock.now
            sustained = Double(ledger.acknowledgedCount) / max((allAcked - start).seconds, 1e-9)
            cpu = meter?.elapsed() ?? []
            measuredSeconds = (clock.now - start).seconds
        }

        // Queryable: committed_seq of every vehicle through the HTTP API.
        var committed = 0
        for id in ids {
            var request = HTTPClientRequest(url: "\(trackingURL)/v1/vehicles/\(id.rawValue)")
            if let token = token ?? FleetctlProfile.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            // Refused is not lost: without a usable token nothing could be counted.
            if response.status == .unauthorized || response.status == .forbidden {
                throw FleetctlError("fleet-tracking at \(trackingURL) answered \(response.status.code) to the committed-sequence check: pass --token, set FLEET_TOKEN or run fleetctl login")
            }
            if response.status == .ok,
                let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let seq = json["committed_seq"] as? Int
            {
                committed += min(seq, ledger.publishedCount(vehicle: Int(id.rawValue.split(separator: "-").last!)!))
            }
        }
        let lost = total - committed
        let latencies = ledger.latenciesMillis().sorted()
        func percentile(_ p: Double) -> String {
            latencies.isEmpty ? "-" : String(format: "%.0f ms", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))])
        }
        emit(String(format: "sustained (publish start → last acknowledgement): %.0f msg/s", sustained))
        emit("publish → committed acknowledgement: p50 \(percentile(0.50)), p99 \(percentile(0.99)), max \(percentile(1.0)) over \(latencies.count) messages")
        emit("queryable through the API: \(committed) of \(total); lost \(lost)")
        let gapsSkipped = ledger.gapsSkipped
        emit("sequence gaps skipped by fleet-tracking (each hides at least one message that was never stored): \(gapsSkipped)")
        if let pid, let rss = Self.memory(pid: pid) {
            emit("fleet-tracking (pid \(pid)) peak RSS \(rss.peak / 1024) MiB, current \(rss.current / 1024) MiB")
        } else {
            emit("fleet-tracking RSS: unknown (pass --service-pid)")
        }
        reportCPU(cpu, stored: committed, idleRates: idleRates, seconds: measuredSeconds)
        if !skipPipeline {
            // The same broker without fleet-tracking: what FleetMQTT alone carries at QoS 1, and the C tools.
            var baseline = try BenchMQTT.parse(["--messages", "200000", "--skip-c-tools"])
            baseline.connection = connection
            let pipeline = try await baseline.measureFleetMQTT(topic: "fleet/bench/ingest-\(run)/swift1", qos: .atLeastOnce)
            emit(String(format: "FleetMQTT-only pipeline, QoS 1 (publish → subscriber, same broker): %.0f msg/s; ingest/pipeline = %.2f (target ≥ 0.75)", pipeline.rate, sustained / max(pipeline.rate, 1)))
            if !skipCTools {
                for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
                    let result = try await baseline.measureCTools(topic: "fleet/bench/ingest-\(run)/c\(qos.rawValue)", qos: qos)
                    emit(String(format: "Mosquitto C tools raw broker rate, QoS %d: %.0f msg/s (ingest/raw = %.2f)", qos.rawValue, result.rate, sustained / max(result.rate, 1)))
                }
            }
        }
        if lost > 0 { throw FleetctlError("\(lost) messages were not committed") }
        if gapsSkipped > 0 { throw FleetctlError("\(gapsSkipped) sequence gaps were skipped: messages were lost") }
    }

    /// CPU microseconds per stored message of each measured process group, and service + database together: in all,
    /// and above what the same process used per second while idle before the run (`--idle-seconds`).
    func reportCPU(_ cpu: [(name: String, seconds: Double?)], stored: Int, idleRates: [String: Double], seconds: Double) {
        guard stored > 0, !cpu.isEmpty else { return }
        emit("CPU per stored message (user + system from /proc over publish + drain, \(String(format: "%.0f", seconds)) s; \"above idle\" subtracts the rate measured for \(idleSeconds) s before the run):")
        emit("  process                              in all    above idle")
        func perMessage(_ seconds: Double) -> String { String(format: "%7.1f µs", seconds * 1e6 / Double(stored)) }
        func aboveIdle(_ name: String, _ total: Double) -> Double? { idleRates[name].map { max(0, total - $0 * seconds) } }
        for (name, total) in cpu {
            let all = total.map(perMessage) ?? "      ?"
            let above = total.flatMap { aboveIdle(name, $0) }.map(perMessage) ?? "      -"
            emit("  " + name.padding(toLength: 32, withPad: " ", startingAt: 0) + all + "    " + above)
        }
        let service = cpu.first { $0.name == "fleet-tracking" }?.seconds
        let database = cpu.first { $0.name.hasPrefix("PostgreSQL") }?.seconds
        if let service, let database {
            let above = aboveIdle("fleet-tracking", service).flatMap { s in aboveIdle("PostgreSQL (all processes)", database).map { s + $0 } }
            emit("  service + database              " + perMessage(service + database) + "    " + (above.map(perMessage) ?? "      -") + "   (target ≤ 35 µs)")
        }
    }

    static func pidFromStack() -> Int32? {
        let directory = ProcessInfo.processInfo.environment["FLEET_STACK_DIR"] ?? ".stack"
        guard let text = try? String(contentsOfFile: "\(directory)/run/fleet-tracking.pid", encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// VmHWM (peak) and VmRSS of `pid`, in KiB.
    static func memory(pid: Int32) -> (peak: Int, current: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let peak = field("VmHWM:"), let current = field("VmRSS:") else { return nil }
        return (peak, current)
    }
}

/// Publish instants and acknowledgements per vehicle and sequence.
final class Ledger: Sendable {
    private struct State {
        var publishedAt: [[ContinuousClock.Instant?]]
        var acknowledged: [Int]
        var latencies: [Float] = []
        var acknowledgedCount = 0
        var publishedTotal = 0
        var lastAcknowledgement: ContinuousClock.Instant?
        var gapsSkipped = 0
    }
    private let state: Mutex<State>

    init(vehicles: Int, perVehicle: Int) {
        state = Mutex(State(publishedAt: Array(repeating: Array(repeating: nil, count: perVehicle + 1), count: vehicles), acknowledged: Array(repeating: 0, count: vehicles)))
    }

    func published(vehicle: Int, seq: Int, at instant: ContinuousClock.Instant) {
        state.withLock {
            $0.publishedAt[vehicle][seq] = instant
            $0.publishedTotal += 1
        }
    }

    var publishedTotal: Int { state.withLock { $0.publishedTotal } }

    func publishedCount(vehicle: Int) -> Int {
        state.withLock { $0.publishedAt[vehicle].dropFirst().filter { $0 != nil }.count }
    }

    func acknowledge(vehicle: Int, upTo seq: Int, at now: ContinuousClock.Instant) {
        state.withLock { s in
            guard vehicle < s.acknowledged.count else { return }
            let from = s.acknowledged[vehicle] + 1
            guard seq >= from else { return }
            let to = min(seq, s.publishedAt[vehicle].count - 1)
            guard to >= from else { return }
            for n in from...to {
                if let sent = s.publishedAt[vehicle][n] {
                    s.latencies.append(Float((now - sent).seconds * 1000))
                    s.acknowledgedCount += 1
                }
            }
            s.acknowledged[vehicle] = to
            s.lastAcknowledgement = now
        }
    }

    var acknowledgedCount: Int { state.withLock { $0.acknowledgedCount } }
    func gapSkipped() { state.withLock { $0.gapsSkipped += 1 } }
    var gapsSkipped: Int { state.withLock { $0.gapsSkipped } }
    var lastAcknowledgement: ContinuousClock.Instant? { state.withLock { $0.lastAcknowledgement } }
    func latenciesMillis() -> [Float] { state.withLock { $0.latencies } }
}
