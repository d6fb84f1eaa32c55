import FleetCore
import FleetMQTT
import FleetSimulation
import FleetTestSupport
import Testing

/// The gateway's numbering, buffering, commits, resends and command checks, driven by the test's clock (no broker).
@Suite("Simulation gateway")
struct GatewayTests {
    static let start: Int64 = 1_790_000_000_000

    func gateway(vehicles: Int = 2, _ configuration: GatewayConfiguration) throws -> SimulationGateway<RoadFleet> {
        let fleet = try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: vehicles, seed: 9, faults: .none),
            components: try Monaco.components.get())
        return SimulationGateway(model: fleet, configuration: configuration, logger: silentLogger)
    }

    /// Telemetry sequences per vehicle id in `jobs`.
    func sequences(_ jobs: [PublishJob]) throws -> [String: [UInt64]] {
        var result: [String: [UInt64]] = [:]
        for message in jobs.flatMap(\.messages) where message.topic.hasSuffix("/telemetry") {
            let sample = try FleetCodec.decode(Telemetry.self, from: message.payload)
            result[sample.vehicleID.rawValue, default: []].append(sample.sequence)
        }
        return result
    }

    func commit(_ id: String, _ sequence: UInt64) throws -> MQTTMessage {
        let commit = TelemetryCommit(vehicleID: try VehicleID(id), sequence: sequence, committedAtMillis: Self.start)
        return MQTTMessage(
            topic: "fleet/v1/vehicles/\(id)/telemetry/committed", payload: try FleetCodec.encode(commit), qos: .atLeastOnce, retain: true)
    }

    @Test("Samples are numbered from 1, buffered while disconnected and replayed in order on reconnect")
    func bufferAndReplay() async throws {
        let gateway = try gateway(GatewayConfiguration(maxCatchUpPerVehicle: 100))
        var sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start, connected: true))
        #expect(sent == ["sim-0001": [1], "sim-0002": [1]])
        for second in 1...5 {
            sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + Int64(second) * 1000, connected: false))
            #expect(sent.isEmpty)
        }
        // Back online: everything unconfirmed (1 was never committed), in order, then nothing twice.
        sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + 6000, connected: true))
        #expect(sent == ["sim-0001": Array(1...7), "sim-0002": Array(1...7)])
        sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + 7000, connected: true))
        #expect(sent == ["sim-0001": [8], "sim-0002": [8]])
    }

    @Test("A commit drops what it covers; what stays unconfirmed is resent after the timeout")
    func commitsAndResends() async throws {
        let gateway = try gateway(GatewayConfiguration(resendTimeout: .seconds(10)))
        for second in 0..<5 {
            _ = await gateway.tick(seconds: 1, nowMillis: Self.start + Int64(second) * 1000, connected: true)
        }
        #expect(await gateway.unconfirmedCount(of: 0) == 5)
        await gateway.handleCommit(try commit("sim-0001", 3))
        await gateway.handleCommit(try commit("sim-0002", 5))
        await gateway.handleCommit(try commit("sim-0001", 2))  // stale: ignored
        #expect(await gateway.unconfirmedCount(of: 0) == 2)
        #expect(await gateway.unconfirmedCount(of: 1) == 0)
        // sim-0001's 4 and 5 were sent at seconds 3 and 4: resent once ten seconds have passed.
        var sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + 13_000, connected: true))
        #expect(sent == ["sim-0001": [4, 6], "sim-0002": [6]])
        sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + 14_000, connected: true))
        #expect(sent == ["sim-0001": [5, 7], "sim-0002": [7]])
        #expect(await gateway.statistics.resent == 2)
    }

    @Test("A commit-stream batch drops what it covers for this gateway's vehicles; others, stale entries and bad payloads change nothing")
    func commitBatches() async throws {
        let gateway = try gateway(GatewayConfiguration(resendTimeout: .seconds(10)))
        for second in 0..<5 {
            _ = await gateway.tick(seconds: 1, nowMillis: Self.start + Int64(second) * 1000, connected: true)
        }
        func batch(_ entries: [(String, UInt64)], topic: String = FleetTopics.commits(shard: 2)) throws -> MQTTMessage {
            let batch = CommitBatch(
                committedAtMillis: Self.start, commits: try entries.map { CommitBatch.Entry(vehicleID: try VehicleID($0.0), sequence: $0.1) })
            return MQTTMessage(topic: topic, payload: try FleetCodec.encode(batch, format: .binary), qos: .atMostOnce, retain: false)
        }
        await gateway.handleCommitBatch(try batch([("sim-0001", 3), ("other-9", 4), ("sim-0002", 5)]))
        #expect(await gateway.unconfirmedCount(of: 0) == 2)
        #expect(await gateway.unconfirmedCount(of: 1) == 0)
        // Stale (a per-vehicle acknowledgement or another replica's batch can arrive later): ignored.
        await gateway.handleCommitBatch(try batch([("sim-0001", 1)]))
        await gateway.handleCommit(try commit("sim-0001", 2))
        #expect(await gateway.unconfirmedCount(of: 0) == 2)
        // Malformed, or on another topic: counted as invalid, nothing dropped.
        let invalid = await gateway.statistics.invalidMessages
        await gateway.handleCommitBatch(MQTTMessage(topic: FleetTopics.commits(shard: 0), payload: Array("{\"v\":1".utf8), qos: .atMostOnce, retain: false))
        await gateway.handleCommitBatch(try batch([("sim-0001", 5)], topic: "fleet/v1/vehicles/sim-0001/telemetry/committed"))
        #expect(await gateway.statistics.invalidMessages == invalid + 2)
        #expect(await gateway.unconfirmedCount(of: 0) == 2)
        await gateway.handleCommitBatch(try batch([("sim-0001", 5)]))
        #expect(await gateway.unconfirmedTotal == 0)
    }

    @Test("Draining makes no new samples: only unconfirmed ones go out again, until commits empty the outboxes")
    func drainOnly() async throws {
        let gateway = try gateway(GatewayConfiguration(resendTimeout: .seconds(2)))
        for second in 0..<3 {
            _ = await gateway.tick(seconds: 1, nowMillis: Self.start + Int64(second) * 1000, connected: true)
        }
        #expect(await gateway.unconfirmedTotal == 6)
        let samples = await gateway.statistics.samples
        // Once the resend timeout passed: the three of each vehicle again, and no sample 4.
        var sent = try sequences(await gateway.tick(seconds: 0, nowMillis: Self.start + 6_000, connected: true, generate: false))
        #expect(sent == ["sim-0001": [1, 2, 3], "sim-0002": [1, 2, 3]])
        #expect(await gateway.statistics.samples == samples)
        await gateway.handleCommit(try commit("sim-0001", 3))
        await gateway.handleCommit(try commit("sim-0002", 3))
        #expect(await gateway.unconfirmedTotal == 0)
        sent = try sequences(await gateway.tick(seconds: 0, nowMillis: Self.start + 60_000, connected: true, generate: false))
        #expect(sent.isEmpty)
    }

    @Test("A full outbox evicts its oldest samples and counts them")
    func eviction() async throws {
        let gateway = try gateway(vehicles: 1, GatewayConfiguration(outboxCapacity: 4))
        for second in 0..<10 {
            _ = await gateway.tick(seconds: 1, nowMillis: Self.start + Int64(second) * 1000, connected: false)
        }
        #expect(await gateway.unconfirmedCount(of: 0) == 4)
        #expect(await gateway.statistics.evicted == 6)
        let sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start + 10_000, connected: true))
        #expect(sent == ["sim-0001": [8, 9, 10, 11]])
        #expect(await gateway.statistics.evicted == 7)
    }

    @Test("A retained commit found at start continues the numbering after it")
    func continuesAfterCommit() async throws {
        let gateway = try gateway(GatewayConfiguration())
        await gateway.handleCommit(try commit("sim-0002", 41))
        let sent = try sequences(await gateway.tick(seconds: 1, nowMillis: Self.start, connected: true))
        #expect(sent == ["sim-0001": [1], "sim-0002": [42]])
    }

    @Test("Commands: expired, unknown, mismatched and malformed ones are rejected or counted; valid ones are acknowledged")
    func commandChecks() async throws {
        let gateway = try gateway(GatewayConfiguration())
        func message(_ topicID: String, _ command: Command) throws -> MQTTMessage {
            MQTTMessage(topic: "fleet/v1/vehicles/\(topicID)/commands", payload: try FleetCodec.encode(command), qos: .atLeastOnce, retain: false)
        }
        func acks(_ messages: [OutgoingMessage]) throws -> [CommandAck] {
            try messages.map { try FleetCodec.decode(CommandAck.self, from: $0.payload) }
        }
        let vehicle = try VehicleID("sim-0001")
        let expired = Command(
            id: try MessageID("c-expired"), vehicleID: vehicle, action: .pause, issuedAtMillis: Self.start - 120_000,
            expiresAtMillis: Self.start - 60_000)
        var result = try acks(await gateway.handleCommand(try message("sim-0001", expired), nowMillis: Self.start))
        #expect(result.map(\.status) == [.rejected])
        #expect(result.first?.reason?.contains("expired") == true)
        #expect(await gateway.model.status(of: 0) != .paused)

        var unknown = expired
        unknown.id = try MessageID("c-unknown")
        unknown.vehicleID = try VehicleID("sim-0999")
        unknown.expiresAtMillis = Self.start + 60_000
        let unknownMessages = await gateway.handleCommand(try message("sim-0999", unknown), nowMillis: Self.start)
        #expect(unknownMessages.first?.topic == "fleet/v1/vehicles/sim-0999/commands/ack")
        result = try acks(unknownMessages)
        #expect(result.map(\.status) == [.rejected] && result.first?.reason?.contains("unknown vehicle") == true)

        // Someone else's vehicle: not ours to answer.
        var foreign = unknown
        foreign.vehicleID = try VehicleID("truck-7")
        #expect(await gateway.handleCommand(try message("truck-7", foreign), nowMillis: Self.start).isEmpty)

        var mismatched = unknown
        mismatched.id = try MessageID("c-mismatch")
        mismatched.vehicleID = try VehicleID("sim-0002")
        result = try acks(await gateway.handleCommand(try message("sim-0001", mismatched), nowMillis: Self.start))
        #expect(result.map(\.status) == [.rejected])

        let garbage = MQTTMessage(topic: "fleet/v1/vehicles/sim-0001/commands", payload: Array("{nope".utf8), qos: .atLeastOnce, retain: false)
        #expect(await gateway.handleCommand(garbage, nowMillis: Self.start).isEmpty)
        #expect(await gateway.statistics.invalidMessages == 1)

        var pause = unknown
        pause.id = try MessageID("c-pause")
        pause.vehicleID = vehicle
        result = try acks(await gateway.handleCommand(try message("sim-0001", pause), nowMillis: Self.start))
        #expect(result.map(\.status) == [.accepted, .completed])
        #expect(await gateway.model.status(of: 0) == .paused)
        // The same command again is a duplicate: no second execution, no acknowledgement.
        #expect(await gateway.handleCommand(try message("sim-0001", pause), nowMillis: Self.start).isEmpty)
    }
}
