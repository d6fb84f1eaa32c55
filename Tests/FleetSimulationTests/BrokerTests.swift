import FleetCore
import FleetGeo
import FleetMQTT
import FleetSimulation
import FleetTestSupport
import Foundation
import Synchronization
import Testing

/// The simulator against a real Mosquitto: commands published by the test, retained state, and store-and-forward
/// with the test acting as the tracking service.
@Suite("Simulator through a real broker", .serialized, .timeLimit(.minutes(2)))
struct BrokerTests {
    func fleet(vehicles: Int, seed: UInt64 = 21) throws -> RoadFleet {
        try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: vehicles, seed: seed, faults: .none),
            components: try Monaco.components.get())
    }

    func command(_ id: String, _ vehicle: String, _ action: CommandAction, issued: Int64 = nowMillis(), lifetime: Int64 = 60_000) throws -> Command {
        Command(id: try MessageID(id), vehicleID: try VehicleID(vehicle), action: action, issuedAtMillis: issued, expiresAtMillis: issued + lifetime)
    }

    func send(_ command: Command, to topicVehicle: String? = nil, with client: MQTTClient) async throws {
        let topic = VehicleChannel.commands.topic(for: try VehicleID(topicVehicle ?? command.vehicleID.rawValue))
        try await client.publish(try FleetCodec.encode(command), to: topic, qos: .atLeastOnce)
    }

    @Test("pause stops the vehicle where it is (status paused); resume moves it again; expired and unknown commands are rejected")
    func pauseResumeAndRejections() async throws {
        let broker = try TestBroker(persistence: false)
        // Two simulated seconds per 100 ms step.
        let configuration = GatewayConfiguration(tickInterval: .milliseconds(100), timeScale: 20, retainedWait: .milliseconds(200))
        try await SimulatorHarness.run(broker: broker, model: try fleet(vehicles: 3), configuration: configuration) { _, tester in
            let telemetry = Collector(try await tester.subscribe(to: VehicleChannel.telemetry.filter))
            let acks = Collector(try await tester.subscribe(to: VehicleChannel.commandAcks.filter))
            #expect(await telemetry.wait { _ in telemetry.telemetry(of: "sim-0001").contains { $0.speedMetersPerSecond > 0.5 } })

            try await send(try command("pause-1", "sim-0001", .pause), with: tester)
            #expect(await acks.wait { _ in acks.acks(of: "pause-1").map(\.status) == [.accepted, .completed] })
            let afterPause = telemetry.telemetry(of: "sim-0001").count
            #expect(await telemetry.wait { _ in telemetry.telemetry(of: "sim-0001").count >= afterPause + 8 })
            // From the first paused sample on: all at one position, paused, not moving.
            let samples = telemetry.telemetry(of: "sim-0001")
            let firstPaused = try #require(samples.firstIndex { $0.status == .paused })
            let paused = Array(samples[firstPaused...])
            #expect(firstPaused <= afterPause + 1)
            #expect(paused.count >= 7)
            #expect(Set(paused.map(\.position)).count == 1)
            #expect(paused.allSatisfy { $0.status == .paused && $0.speedMetersPerSecond == 0 })

            try await send(try command("resume-1", "sim-0001", .resume), with: tester)
            #expect(await acks.wait { _ in acks.acks(of: "resume-1").map(\.status) == [.accepted, .completed] })
            let held = try #require(paused.last?.position)
            #expect(await telemetry.wait(timeout: .seconds(30)) { _ in telemetry.telemetry(of: "sim-0001").last.map { $0.position != held } ?? false })

            try await send(try command("old-1", "sim-0002", .pause, issued: nowMillis() - 120_000), with: tester)
            #expect(await acks.wait { _ in acks.acks(of: "old-1").map(\.status) == [.rejected] })
            #expect(acks.acks(of: "old-1").first?.reason?.contains("expired") == true)
            #expect(telemetry.telemetry(of: "sim-0002").last?.status != .paused)

            try await send(try command("ghost-1", "sim-0042", .pause), with: tester)
            #expect(await acks.wait { _ in acks.acks(of: "ghost-1").map(\.status) == [.rejected] })
            #expect(acks.acks(of: "ghost-1").first?.reason?.contains("unknown vehicle") == true)

            // Malformed commands are counted and change nothing.
            try await tester.publish(Array("{\"v\":1,\"id\":".utf8), to: "fleet/v1/vehicles/sim-0003/commands", qos: .atLeastOnce)
            #expect(await telemetry.wait { _ in telemetry.telemetry(of: "sim-0003").count > 3 })
        }
    }

    @Test("A retained desired state with paused=true keeps the vehicle paused from its first sample; a retained commit continues its numbering")
    func retainedStateAtStart() async throws {
        let broker = try TestBroker(persistence: false)
        let configuration = GatewayConfiguration(tickInterval: .milliseconds(100), timeScale: 20, retainedWait: .milliseconds(500))
        // Subscribed before the simulator starts, so its very first sample is seen however busy the machine is.
        let early = Mutex<MQTTSubscription?>(nil)
        try await SimulatorHarness.run(
            broker: broker, model: try fleet(vehicles: 2), configuration: configuration,
            beforeStart: { tester in
                let subscription = try await tester.subscribe(to: VehicleChannel.telemetry.filter)
                early.withLock { $0 = subscription }
                let desired = DesiredState(vehicleID: try VehicleID("sim-0002"), revision: 3, paused: true, updatedAtMillis: nowMillis(), reason: "test")
                try await tester.publish(try FleetCodec.encode(desired), to: VehicleChannel.desired.topic(for: desired.vehicleID), qos: .atLeastOnce, retain: true)
                let commit = TelemetryCommit(vehicleID: try VehicleID("sim-0001"), sequence: 41, committedAtMillis: nowMillis())
                try await tester.publish(try FleetCodec.encode(commit), to: VehicleChannel.telemetryCommitted.topic(for: commit.vehicleID), qos: .atLeastOnce, retain: true)
            }
        ) { _, tester in
            let telemetry = Collector(try #require(early.withLock { $0 }))
            let states = Collector(try await tester.subscribe(to: VehicleChannel.state.filter))
            #expect(await telemetry.wait { _ in telemetry.telemetry(of: "sim-0002").count >= 15 && telemetry.telemetry(of: "sim-0001").count >= 1 })
            let held = telemetry.telemetry(of: "sim-0002")
            #expect(held.allSatisfy { $0.status == .paused && $0.speedMetersPerSecond == 0 })
            #expect(Set(held.map(\.position)).count == 1)
            // Numbering, not arrival order: the gateway publishes each tick's samples from concurrent tasks, so on a busy
            // machine two consecutive samples of one vehicle can reach the broker swapped (tracking stores either order).
            #expect(telemetry.telemetry(of: "sim-0001").map(\.sequence).min() == 42)
            #expect(telemetry.telemetry(of: "sim-0002").map(\.sequence).min() == 1)
            // The retained state says online, paused, with the desired revision.
            #expect(await states.wait { messages in
                messages.contains { message in
                    guard let state = try? FleetCodec.decode(VehicleState.self, from: message.payload) else { return false }
                    return state.vehicleID.rawValue == "sim-0002" && state.connectivity == .online && state.status == .paused
                        && state.desired?.revision == 3
                }
            })
        }
    }

    @Test("Store-and-forward: across a broker restart and a lost message, every sequence 1…N arrives")
    func storeAndForwardAcrossRestart() async throws {
        let broker = try TestBroker(persistence: true)
        let configuration = GatewayConfiguration(
            tickInterval: .milliseconds(50), timeScale: 1, resendTimeout: .milliseconds(600), retainedWait: .milliseconds(200))
        let tracking = TrackingEmulator(dropOnce: ["sim-0001": 5])
        try await SimulatorHarness.run(broker: broker, model: try fleet(vehicles: 2), configuration: configuration) { gateway, tester in
            try await tracking.start(tester)
            #expect(await tracking.wait { $0["sim-0001", default: 0] >= 20 && $0["sim-0002", default: 0] >= 20 })
            let beforeRestart = await gateway.nextSequence(of: 0)
            try await broker.restart(downtime: .milliseconds(1_500))
            // ~30 samples per vehicle were generated while the broker was down; all must arrive.
            let target = beforeRestart + 40
            #expect(await tracking.wait(timeout: .seconds(40)) { $0["sim-0001", default: 0] >= target && $0["sim-0002", default: 0] >= target })
            // The newest samples may still be on their way (a sample lost in the restart is resent after the resend
            // timeout): wait until everything up to the highest sequence seen so far has arrived, then look for gaps.
            let seen = tracking.report().received.mapValues { $0.max() ?? 0 }
            #expect(await tracking.wait(timeout: .seconds(40)) { contiguous in seen.allSatisfy { contiguous[$0.key, default: 0] >= $0.value } })
            let report = tracking.report()
            for vehicle in ["sim-0001", "sim-0002"] {
                let received = report.received[vehicle, default: []]
                let highest = seen[vehicle, default: 0]
                #expect(highest >= target)
                #expect(Set(1...highest).subtracting(received).isEmpty, "\(vehicle) is missing sequences")
            }
            #expect(report.dropped == 1)
            // The outage really happened: samples were generated and buffered while the broker was down.
            #expect(await gateway.statistics.samplesBuffered >= 10)
            #expect(await gateway.statistics.resent >= 1)
            #expect(await gateway.statistics.evicted == 0)
        }
    }
}

/// The tracking service's side of the durability protocol: receives telemetry, and publishes (retained, coalesced)
/// the highest contiguous sequence per vehicle. Can ignore chosen messages once, as if they were lost.
final class TrackingEmulator: Sendable {
    struct State {
        var received: [String: Set<UInt64>] = [:]
        var contiguous: [String: UInt64] = [:]
        var published: [String: UInt64] = [:]
        var dropOnce: [String: UInt64]
        var dropped = 0
    }

    let state: Mutex<State>
    let tasks = Mutex<[Task<Void, Never>]>([])

    init(dropOnce: [String: UInt64]) {
        state = Mutex(State(dropOnce: dropOnce))
    }

    deinit { for task in tasks.withLock({ $0 }) { task.cancel() } }

    func start(_ client: MQTTClient) async throws {
        let subscription = try await client.subscribe(to: VehicleChannel.telemetry.filter, qos: .atLeastOnce)
        let receiver = Task { [self] in
            for await message in subscription {
                guard let sample = try? FleetCodec.decode(Telemetry.self, from: message.payload) else { continue }
                state.withLock { s in
                    let id = sample.vehicleID.rawValue
                    if s.dropOnce[id] == sample.sequence {
                        s.dropOnce[id] = nil
                        s.dropped += 1
                        return
                    }
                    s.received[id, default: []].insert(sample.sequence)
                    var next = s.contiguous[id, default: 0] + 1
                    while s.received[id, default: []].contains(next) { next += 1 }
                    s.contiguous[id] = next - 1
                }
            }
        }
        let committer = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                let due: [(String, UInt64)] = state.withLock { s in
                    let changed = s.contiguous.filter { s.published[$0.key] != $0.value }
                    for (id, sequence) in changed { s.published[id] = sequence }
                    return changed.map { ($0.key, $0.value) }
                }
                for (id, sequence) in due {
                    guard let vehicle = VehicleID(validating: id) else { continue }
                    let commit = TelemetryCommit(vehicleID: vehicle, sequence: sequence, committedAtMillis: nowMillis())
                    do {
                        try await client.publish(
                            try FleetCodec.encode(commit), to: VehicleChannel.telemetryCommitted.topic(for: vehicle), qos: .atLeastOnce, retain: true)
                    } catch {
                        state.withLock { _ = $0.published.removeValue(forKey: id) }  // try again next round
                    }
                }
            }
        }
        tasks.withLock { $0 += [receiver, committer] }
    }

    /// Waits until `condition` holds for the contiguous sequences per vehicle.
    func wait(timeout: Duration = .seconds(20), until condition: ([String: UInt64]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ condition($0.contiguous) }) { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return state.withLock { condition($0.contiguous) }
    }

    func report() -> (received: [String: Set<UInt64>], dropped: Int) {
        state.withLock { ($0.received, $0.dropped) }
    }
}
