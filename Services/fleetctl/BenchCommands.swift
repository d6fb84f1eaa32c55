import ArgumentParser
import AsyncHTTPClient
import FleetCore
import FleetMQTT
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `fleetctl bench commands`: API → vehicle acknowledgement latency of a running fleet-control, and a whole-fleet pause.
///
/// The bench brings its own simulated vehicles: one MQTT connection (normally the `fleet-sim` account) speaks for N
/// vehicles, announces them online on their retained state topics and answers every command `accepted` then `completed`.
struct BenchCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands",
        abstract: "Round trip API → vehicle acknowledgement at a fixed rate, then pause a whole simulated fleet.",
        discussion: """
            Needs a running fleet-control and an admin or commands:write token, and a broker account that may act for
            vehicles (fleet-sim):
              eval "$(scripts/stack.sh env)"
              fleetctl login < .stack/control-admin-token
              fleetctl bench commands --username fleet-sim --password "$FLEET_MQTT_PASSWORD_FLEET_SIM"
            Each command is timed from just before its POST until GET /v1/commands/{id}?wait= reports it acknowledged
            (or completed). The token's rate limit must allow about 2 × --rate requests/s and a burst of at least
            2 × --vehicles (the bootstrap admin token: FLEET_CONTROL_ADMIN_TOKEN_RPS, 1000/s with burst 2000 by default;
            another token: fleetctl tokens create --rate-limit 1000): the
            fleet pause and the clean-up resume each long-poll every one of their commands within seconds. Targets:
            p99 ≤ 50 ms at 100 commands/s; 1,000 vehicles paused and acknowledged within 2 s. At the end the simulated vehicles are resumed, announced offline and their retained messages cleared.
            """
    )

    @OptionGroup var connection: MQTTOptions
    @OptionGroup var control: ControlOptions
    @Option(help: "Simulated vehicles.") var vehicles = 1_000
    @Option(help: "Commands per second in the latency phase.") var rate = 100
    @Option(help: "Seconds of the latency phase.") var duration: Double = 20
    @Option(help: "Vehicle id prefix.") var prefix = "bench-cmd-"
    @Option(help: "Seconds a single command may take before it counts as lost.") var commandTimeout: Double = 10
    @Option(help: ArgumentHelp(
        "Write one CSV line per command answered by the simulated vehicles: command id, issued, received and 'accepted' published, and for the latency phase when the POST was sent, when it returned and when the wait ended (Unix ms).",
        discussion: "Join it with fleet-control's command transitions to see which leg a slow command lost its time in.",
        valueName: "file"
    ))
    var trace: String?

    func validate() throws {
        guard vehicles > 0, rate > 0, duration > 0 else { throw ValidationError("--vehicles, --rate and --duration must be positive") }
    }

    func run() async throws {
        let ids = try (0..<vehicles).map { try VehicleID(prefix + String(format: "%05d", $0)) }
        var configuration = connection.configuration(clientID: MQTTOptions.clientID("bench-commands-sim"))
        configuration.maxOutstandingPublishes = 20_000
        let sim = SimulatedFleet(ids: ids, tracing: trace != nil)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        try await control.run {
            try await HTTPClient.withHTTPClient(configuration: httpConfiguration) { http in
                var client = ControlClient(options: control)
                client.http = http
                try await MQTTClient.withConnection(configuration: configuration, logger: connection.logger, connectTimeout: .seconds(connection.connectTimeout)) { mqtt in
                    try await sim.run(mqtt) {
                        try await measure(client: client, ids: ids, sim: sim)
                    }
                    if let trace {
                        try Data(sim.traceCSV.utf8).write(to: URL(fileURLWithPath: trace))
                        emit("trace: \(trace)")
                    }
                }
            }
        }
    }

    private func measure(client: ControlClient, ids: [VehicleID], sim: SimulatedFleet) async throws {
        emit("bench commands: \(ids.count) simulated vehicles, \(rate) commands/s for \(Int(duration)) s, API \(control.api)")
        let clock = ContinuousClock()
        let known = clock.now
        try await waitUntilKnown(ids, client: client)
        emit("vehicles known to fleet-control after \(milliseconds(clock.now - known)) ms")

        // Phase 1: single commands at a fixed rate, round-robin over the vehicles, pause/resume alternating per round.
        let total = Int(Double(rate) * duration)
        let interval = Duration.nanoseconds(1_000_000_000 / rate)
        let timeout = commandTimeout
        var latencies: [Double] = []
        var failed: [String] = []
        let start = clock.now
        try await withThrowingTaskGroup(of: (latency: Double?, failure: String?).self) { group in
            for index in 0..<total {
                try await clock.sleep(until: start + interval * index)
                let vehicle = ids[index % ids.count]
                let action = (index / ids.count) % 2 == 0 ? "pause" : "resume"
                group.addTask {
                    let begin = clock.now
                    let beginMillis = TimestampPolicy.millis(from: Date())
                    do {
                        let created = try await client.send(.POST, "/v1/vehicles/\(vehicle.rawValue)/commands", json: ["action": action, "reason": "bench", "ttl_seconds": 60]).object
                        let createdMillis = TimestampPolicy.millis(from: Date())
                        let answered = try await CommandsCommand.waitForAnswers([created], client: client, seconds: timeout)[0]
                        let status = answered["status"] as? String ?? "?"
                        if let id = created["id"] as? String {
                            sim.recordClientSide(id, .init(posted: beginMillis, created: createdMillis, answered: TimestampPolicy.millis(from: Date())))
                        }
                        if status == "acknowledged" || status == "completed" { return (Self.milliseconds(clock.now - begin), nil) }
                        return (nil, "\(vehicle): \(status)")
                    } catch {
                        return (nil, "\(vehicle): \(error)")
                    }
                }
            }
            for try await result in group {
                if let latency = result.latency { latencies.append(latency) }
                if let failure = result.failure { failed.append(failure) }
            }
        }
        let elapsed = clock.now - start
        let sorted = latencies.sorted()
        emit("")
        emit("latency phase: \(sorted.count) of \(total) commands acknowledged in \(String(format: "%.1f", seconds(elapsed))) s (\(String(format: "%.1f", Double(total) / seconds(elapsed))) commands/s offered)")
        if !sorted.isEmpty {
            emit("API → acknowledged latency: p50 \(format(percentile(sorted, 0.50))) ms, p90 \(format(percentile(sorted, 0.90))) ms, p99 \(format(percentile(sorted, 0.99))) ms, max \(format(sorted.last!)) ms (target p99 ≤ 50 ms)")
        }
        if !failed.isEmpty { emit("not acknowledged: \(failed.count), e.g. \(failed.prefix(3).joined(separator: "; "))") }

        // Phase 2: pause the whole simulated fleet with one request, wait until fleet-control has every acknowledgement.
        emit("")
        let pauseStart = clock.now
        let batch = try await client.send(.POST, "/v1/fleet/commands", json: ["action": "pause", "reason": "bench fleet pause", "vehicle_ids": ids.map(\.rawValue), "ttl_seconds": 60]).object
        let created = clock.now
        let commands = batch["commands"] as? [[String: Any]] ?? []
        let answered = try await waitAll(commands, client: client)
        let allAcknowledged = clock.now
        let acknowledged = answered.filter { ["acknowledged", "completed"].contains($0) }.count
        emit("fleet pause: \(commands.count) commands created in \(format(milliseconds(created - pauseStart))) ms; \(acknowledged) of \(ids.count) acknowledged after \(format(milliseconds(allAcknowledged - pauseStart))) ms (target: all within 2000 ms)")
        if let lastVehicleAck = sim.lastAcceptedAt, let sentAt = sim.firstCommandAfter(pauseStart) {
            emit("  (vehicle side: first pause received \(format(milliseconds(sentAt - pauseStart))) ms, last 'accepted' sent \(format(milliseconds(lastVehicleAck - pauseStart))) ms after the request)")
        }

        // Leave the stack as found: resume, then announce the simulated vehicles offline.
        let resume = try await client.send(.POST, "/v1/fleet/commands", json: ["action": "resume", "reason": "bench cleanup", "vehicle_ids": ids.map(\.rawValue), "ttl_seconds": 60]).object
        _ = try await waitAll(resume["commands"] as? [[String: Any]] ?? [], client: client)
        if !failed.isEmpty || acknowledged < ids.count { throw FleetctlError("not every command was acknowledged") }
    }

    /// Waits (128 long-polls at a time) until every command is answered; returns the final statuses.
    private func waitAll(_ commands: [[String: Any]], client: ControlClient) async throws -> [String] {
        let ids = commands.compactMap { $0["id"] as? String }
        let deadline = Date().addingTimeInterval(commandTimeout)
        var statuses: [String] = []
        try await withThrowingTaskGroup(of: [String].self) { group in
            let chunk = max(1, ids.count / 128 + 1)
            for start in stride(from: 0, to: ids.count, by: chunk) {
                let slice = Array(ids[start..<min(start + chunk, ids.count)])
                group.addTask {
                    var done: [String] = []
                    for id in slice {
                        let body = try await CommandsCommand.answer(id, client: client, deadline: deadline) ?? []
                        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                        done.append(object?["status"] as? String ?? "?")
                    }
                    return done
                }
            }
            for try await part in group { statuses += part }
        }
        return statuses
    }

    private func waitUntilKnown(_ ids: [VehicleID], client: ControlClient) async throws {
        let wanted = Set(ids.map(\.rawValue))
        for _ in 0..<600 {
            var online = Set<String>()
            var after: String? = prefix
            repeat {
                let page = try await client.send(.GET, "/v1/vehicles?connectivity=online&limit=1000&after=\(after ?? "")").object
                let vehicles = page["vehicles"] as? [[String: Any]] ?? []
                for vehicle in vehicles { if let id = vehicle["id"] as? String, wanted.contains(id) { online.insert(id) } }
                after = page["next_after"] as? String
                if let last = after, !last.hasPrefix(prefix) { after = nil }
            } while after != nil
            if online.count == wanted.count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FleetctlError("fleet-control did not learn all \(ids.count) simulated vehicles within 60 s; is it running and subscribed to the broker?")
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
    private func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    private func milliseconds(_ duration: Duration) -> Double { Self.milliseconds(duration) }
    static func milliseconds(_ duration: Duration) -> Double { (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 1000 }
}

/// N vehicles on one MQTT connection: online state, and `accepted` + `completed` for every command.
final class SimulatedFleet: Sendable {
    /// When one command was issued (by fleet-control), received and answered `accepted` (broker-confirmed), in Unix ms.
    struct TraceLine: Sendable {
        var commandID: String
        var issued: Int64
        var received: Int64
        var accepted: Int64
    }

    /// When the bench posted a latency-phase command, got the POST's answer and saw the command answered, in Unix ms.
    struct ClientSide: Sendable {
        var posted: Int64
        var created: Int64
        var answered: Int64
    }

    private struct Timings {
        var lastAccepted: ContinuousClock.Instant?
        var received: [ContinuousClock.Instant] = []
        var trace: [TraceLine] = []
        var clientSide: [String: ClientSide] = [:]
    }

    let ids: [VehicleID]
    let tracing: Bool
    private let timings = Mutex(Timings())

    init(ids: [VehicleID], tracing: Bool = false) {
        self.ids = ids
        self.tracing = tracing
    }

    var lastAcceptedAt: ContinuousClock.Instant? { timings.withLock { $0.lastAccepted } }

    func firstCommandAfter(_ instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        timings.withLock { $0.received.first { $0 >= instant } }
    }

    func recordClientSide(_ commandID: String, _ times: ClientSide) {
        guard tracing else { return }
        timings.withLock { $0.clientSide[commandID] = times }
    }

    /// The trace (`--trace`) as CSV with a header line; the client-side columns are empty outside the latency phase.
    var traceCSV: String {
        timings.withLock { t in
            let lines = t.trace.map { line in
                let client = t.clientSide[line.commandID].map { "\($0.posted),\($0.created),\($0.answered)" } ?? ",,"
                return "\(line.commandID),\(line.issued),\(line.received),\(line.accepted),\(client)"
            }
            return (["command_id,issued_ms,received_ms,accepted_ms,posted_ms,created_ms,answered_ms"] + lines).joined(separator: "\n") + "\n"
        }
    }

    func run(_ mqtt: MQTTClient, _ body: () async throws -> Void) async throws {
        let commands = try await mqtt.subscribe(to: VehicleChannel.commands.filter, qos: .atLeastOnce, bufferCapacity: 200_000, overflow: .dropNewest)
        try await publishStates(mqtt, .online)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.answer(commands, mqtt: mqtt) }
            defer { group.cancelAll() }
            // Clean up the broker whether or not the measurement succeeded.
            let outcome: Result<Void, any Error>
            do { try await body(); outcome = .success(()) } catch { outcome = .failure(error) }
            try await publishStates(mqtt, .offline)
            try await clearRetained(mqtt)
            try outcome.get()
        }
    }

    private func publishStates(_ mqtt: MQTTClient, _ connectivity: Connectivity) async throws {
        let now = TimestampPolicy.millis(from: Date())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    let state = VehicleState(vehicleID: id, connectivity: connectivity, lastSeenMillis: now, status: .idle)
                    try await mqtt.publish(try FleetCodec.encode(state), to: VehicleChannel.state.topic(for: id), qos: .atLeastOnce, retain: true)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Removes the simulated vehicles' retained state and desired state from the broker (empty retained payloads).
    private func clearRetained(_ mqtt: MQTTClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    try await mqtt.publish([UInt8](), to: VehicleChannel.state.topic(for: id), qos: .atLeastOnce, retain: true)
                    try await mqtt.publish([UInt8](), to: VehicleChannel.desired.topic(for: id), qos: .atLeastOnce, retain: true)
                }
            }
            try await group.waitForAll()
        }
    }

    private func answer(_ commands: MQTTSubscription, mqtt: MQTTClient) async {
        let prefixSet = Set(ids)
        await withDiscardingTaskGroup { group in
            for await message in commands {
                guard let command = try? FleetCodec.decode(Command.self, from: message.payload), prefixSet.contains(command.vehicleID) else { continue }
                timings.withLock { $0.received.append(.now) }
                let received = TimestampPolicy.millis(from: Date())
                group.addTask {
                    for status in [CommandAckStatus.accepted, .completed] {
                        let ack = CommandAck(commandID: command.id, vehicleID: command.vehicleID, status: status, atMillis: TimestampPolicy.millis(from: Date()))
                        guard let payload = try? FleetCodec.encode(ack) else { return }
                        try? await mqtt.publish(payload, to: VehicleChannel.commandAcks.topic(for: command.vehicleID), qos: .atLeastOnce)
                        guard status == .accepted else { continue }
                        let line = self.tracing
                            ? TraceLine(commandID: command.id.rawValue, issued: command.issuedAtMillis, received: received, accepted: TimestampPolicy.millis(from: Date()))
                            : nil
                        self.timings.withLock { t in
                            t.lastAccepted = .now
                            if let line { t.trace.append(line) }
                        }
                    }
                }
            }
        }
    }
}
