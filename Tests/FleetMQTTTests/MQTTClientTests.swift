@_spi(Testing) import FleetMQTT
import FleetTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// FleetMQTT against a real Mosquitto started by each test on a free loopback port.
@Suite("MQTT client against a real broker", .serialized, .timeLimit(.minutes(2)))
struct MQTTClientTests {
    let logger = Logger(label: "test.mqtt")

    func configuration(_ broker: TestBroker, _ clientID: String = "c-\(UUID().uuidString.prefix(8))") -> MQTTConfiguration {
        MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: clientID, reconnectDelayMin: .milliseconds(50), reconnectDelayMax: .milliseconds(400))
    }

    /// Collects `count` messages (or `count` distinct payloads: QoS 1 may legitimately redeliver), or whatever arrived before the deadline.
    func collect(_ subscription: MQTTSubscription, count: Int, distinct: Bool = false, within timeout: Duration = .seconds(20)) async -> [MQTTMessage] {
        await withTaskGroup(of: [MQTTMessage].self) { group in
            group.addTask {
                var received: [MQTTMessage] = []
                var payloads: Set<[UInt8]> = []
                for await message in subscription {
                    received.append(message)
                    payloads.insert(message.payload)
                    if (distinct ? payloads.count : received.count) >= count { break }
                }
                return received
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return []
            }
            var result: [MQTTMessage] = []
            for await batch in group {
                result = batch
                group.cancelAll()
                break
            }
            return result
        }
    }

    @Test("QoS 0 and QoS 1 messages arrive with topic, payload and flags intact")
    func roundTrip() async throws {
        let broker = try TestBroker()
        try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { client in
            let subscription = try await client.subscribe(to: "fleet/v1/vehicles/+/telemetry", qos: .atLeastOnce)
            try await client.publish(Array("zero".utf8), to: "fleet/v1/vehicles/a/telemetry", qos: .atMostOnce)
            try await client.publish([0, 1, 2, 255], to: "fleet/v1/vehicles/b/telemetry", qos: .atLeastOnce)
            try await client.publish("not matched", to: "fleet/v1/vehicles/b/state", qos: .atLeastOnce)
            let messages = await collect(subscription, count: 2)
            #expect(messages.map(\.topic) == ["fleet/v1/vehicles/a/telemetry", "fleet/v1/vehicles/b/telemetry"])
            #expect(messages.first?.payloadString == "zero")
            #expect(messages.last?.payload == [0, 1, 2, 255])
            #expect(messages.last?.qos == .atLeastOnce)
            #expect(client.outstandingPublishes == 0)
        }
    }

    @Test("QoS 1 publishes survive a broker restart: every publish is acknowledged and every message delivered")
    func qos1AcrossBrokerRestart() async throws {
        let broker = try TestBroker()
        let total = 400
        var subscriberConfig = configuration(broker, "restart-subscriber")
        subscriberConfig.cleanStart = false
        subscriberConfig.sessionExpirySeconds = 600
        let subscriber = try MQTTClient(configuration: subscriberConfig, logger: logger)
        let publisher = try MQTTClient(configuration: configuration(broker, "restart-publisher"), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            group.addTask { try await publisher.run() }
            try await subscriber.waitUntilConnected()
            try await publisher.waitUntilConnected()
            let subscription = try await subscriber.subscribe(to: "restart/#", qos: .atLeastOnce, bufferCapacity: total * 2)
            let collector = Task { await collect(subscription, count: total, distinct: true, within: .seconds(60)) }

            try await withThrowingTaskGroup(of: Void.self) { publishes in
                for i in 0..<total {
                    publishes.addTask { try await publisher.publish("m\(i)", to: "restart/\(i % 7)", qos: .atLeastOnce) }
                    if i == total / 3 {
                        try await broker.restart(downtime: .milliseconds(700))
                    }
                }
                try await publishes.waitForAll()
            }
            let received = await collector.value
            let unique = Set(received.map(\.payloadString))
            #expect(unique.count == total, "lost \(total - unique.count) of \(total) QoS 1 messages across the restart")
            subscriber.shutdown()
            publisher.shutdown()
            try await group.waitForAll()
        }
    }

    @Test("A subscription an earlier run left in the persistent session keeps delivering until unsubscribe(filter:) removes it")
    func retiredSubscriptionRemoved() async throws {
        let broker = try TestBroker()
        var config = configuration(broker, "retired-\(UUID().uuidString.prefix(6))")
        config.cleanStart = false
        config.sessionExpirySeconds = 600
        // An earlier version subscribed; the session keeps it.
        try await MQTTClient.withConnection(configuration: config, logger: logger) { client in
            _ = try await client.subscribe(to: "retired/#", qos: .atLeastOnce)
        }
        try await MQTTClient.withConnection(configuration: config, logger: logger) { client in
            try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { publisher in
                func publishRound(_ tag: String) async throws -> UInt64 {
                    let marker = try await client.subscribe(to: "marker/\(tag)", qos: .atLeastOnce)
                    let before = client.deliveredForTesting
                    for i in 0..<5 { try await publisher.publish("\(tag)\(i)", to: "retired/x", qos: .atLeastOnce) }
                    try await publisher.publish(tag, to: "marker/\(tag)", qos: .atLeastOnce)
                    // In order on one connection: once the marker is here, the five before it were delivered or not.
                    let markers = await collect(marker, count: 1)
                    #expect(markers.count == 1)
                    return client.deliveredForTesting - before
                }
                #expect(try await publishRound("old") == 6, "the retired subscription still delivers")
                try await client.unsubscribe(filter: "retired/#")
                #expect(try await publishRound("new") == 1, "only the marker arrives once the filter is removed")
            }
        }
    }

    @Test("A persistent session receives what was published while it was away")
    func persistentSessionRedelivery() async throws {
        let broker = try TestBroker()
        var config = configuration(broker, "persistent-1")
        config.cleanStart = false
        config.sessionExpirySeconds = 600
        // First life: subscribe, then leave cleanly.
        try await MQTTClient.withConnection(configuration: config, logger: logger) { client in
            _ = try await client.subscribe(to: "away/+", qos: .atLeastOnce)
        }
        try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { publisher in
            for i in 0..<50 { try await publisher.publish("queued-\(i)", to: "away/\(i)", qos: .atLeastOnce) }
        }
        // Second life: a new process would do exactly this — register the subscription, then connect.
        let client = try MQTTClient(configuration: config, logger: logger)
        let subscription = try await client.subscribe(to: "away/+", qos: .atLeastOnce)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            let received = await collect(subscription, count: 50)
            #expect(Set(received.map(\.payloadString)) == Set((0..<50).map { "queued-\($0)" }))
            client.shutdown()
            try await group.waitForAll()
        }
    }

    @Test("A shared subscription splits the stream across two clients without loss or duplication")
    func sharedSubscription() async throws {
        let broker = try TestBroker()
        let total = 1_000
        try await MQTTClient.withConnection(configuration: configuration(broker, "share-a"), logger: logger) { a in
            try await MQTTClient.withConnection(configuration: configuration(broker, "share-b"), logger: logger) { b in
                let subA = try await a.subscribe(to: "$share/ingest/shared/+/telemetry", qos: .atLeastOnce, bufferCapacity: total)
                let subB = try await b.subscribe(to: "$share/ingest/shared/+/telemetry", qos: .atLeastOnce, bufferCapacity: total)
                try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { publisher in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for i in 0..<total {
                            group.addTask { try await publisher.publish("\(i)", to: "shared/v\(i % 10)/telemetry", qos: .atLeastOnce) }
                        }
                        try await group.waitForAll()
                    }
                }
                // Whatever each received, together they must hold every message exactly once.
                try await Task.sleep(for: .milliseconds(500))
                var gotA: [String] = []
                var gotB: [String] = []
                while subA.bufferedCount > 0 || subB.bufferedCount > 0 {
                    if subA.bufferedCount > 0, let m = await nextMessage(subA) { gotA.append(m.payloadString) }
                    if subB.bufferedCount > 0, let m = await nextMessage(subB) { gotB.append(m.payloadString) }
                }
                #expect(gotA.count + gotB.count == total)
                #expect(Set(gotA).isDisjoint(with: Set(gotB)))
                #expect(Set(gotA).union(gotB) == Set((0..<total).map(String.init)))
                #expect(!gotA.isEmpty && !gotB.isEmpty)
            }
        }
    }

    func nextMessage(_ subscription: MQTTSubscription) async -> MQTTMessage? {
        var iterator = subscription.makeAsyncIterator()
        return await iterator.next()
    }

    @Test("Retained state is delivered to late subscribers, and the will is published only on an unclean loss")
    func retainedAndLastWill() async throws {
        let broker = try TestBroker()
        var vehicle = configuration(broker, "vehicle-7")
        vehicle.will = .init(topic: "fleet/v1/vehicles/7/state", payload: Array("offline".utf8), qos: .atLeastOnce, retain: true)
        let client = try MQTTClient(configuration: vehicle, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.waitUntilConnected()
            try await client.publish("online", to: "fleet/v1/vehicles/7/state", qos: .atLeastOnce, retain: true)

            try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { observer in
                let states = try await observer.subscribe(to: "fleet/v1/vehicles/+/state")
                let first = await collect(states, count: 1)
                #expect(first.first?.payloadString == "online")
                #expect(first.first?.retain == true)

                client.severConnectionForTesting()
                let will = await collect(states, count: 1)
                #expect(will.first?.payloadString == "offline")

                // The vehicle reconnects by itself and announces itself again.
                try await client.waitUntilConnected(timeout: .seconds(10))
                try await client.publish("online", to: "fleet/v1/vehicles/7/state", qos: .atLeastOnce, retain: true)
                let back = await collect(states, count: 1)
                #expect(back.first?.payloadString == "online")
            }
            // A clean shutdown must not trigger the will.
            client.shutdown()
            try await group.waitForAll()
        }
        try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { observer in
            let states = try await observer.subscribe(to: "fleet/v1/vehicles/7/state")
            let retained = await collect(states, count: 1)
            #expect(retained.first?.payloadString == "online")
        }
    }

    @Test("Oversized and malformed publishes and filters are refused with typed errors; the client keeps working")
    func refusals() async throws {
        let broker = try TestBroker(extraConfiguration: ["max_packet_size 2048"])
        try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { client in
            let subscription = try await client.subscribe(to: "ok/#")
            await #expect(throws: MQTTError.self) {
                try await client.publish([UInt8](repeating: 7, count: 4096), to: "ok/big", qos: .atLeastOnce)
            }
            do {
                try await client.publish([UInt8](repeating: 7, count: 4096), to: "ok/big", qos: .atMostOnce)
                Issue.record("an oversized QoS 0 publish was accepted")
            } catch let error as MQTTError {
                guard case .payloadTooLarge = error else { Issue.record("unexpected \(error)"); return }
            }
            await #expect(throws: MQTTError.invalidTopic("ok/+/wild")) {
                try await client.publish("x", to: "ok/+/wild", qos: .atLeastOnce)
            }
            await #expect(throws: MQTTError.invalidTopic("ok/#/bad")) {
                _ = try await client.subscribe(to: "ok/#/bad")
            }
            try await client.publish("still fine", to: "ok/small", qos: .atLeastOnce)
            let got = await collect(subscription, count: 1)
            #expect(got.first?.payloadString == "still fine")
            #expect(client.isConnected)
        }
    }

    @Test("A client that refuses large packets never receives them and keeps receiving small ones")
    func clientMaximumPacketSize() async throws {
        let broker = try TestBroker()
        var small = configuration(broker)
        small.maximumPacketSize = 512
        try await MQTTClient.withConnection(configuration: small, logger: logger) { client in
            let subscription = try await client.subscribe(to: "sizes/#")
            try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { publisher in
                try await publisher.publish([UInt8](repeating: 1, count: 2_000), to: "sizes/big", qos: .atLeastOnce)
                try await publisher.publish("small", to: "sizes/small", qos: .atLeastOnce)
            }
            let got = await collect(subscription, count: 1)
            #expect(got.map(\.topic) == ["sizes/small"])
        }
    }

    @Test("dropNewest counts what a full buffer drops; backPressure loses nothing")
    func overflowPolicies() async throws {
        let broker = try TestBroker()
        try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { client in
            let dropping = try await client.subscribe(to: "drop/#", bufferCapacity: 10, overflow: .dropNewest)
            let pressing = try await client.subscribe(to: "press/#", bufferCapacity: 10, overflow: .backPressure)
            let consumer = Task { () -> [String] in
                var got: [String] = []
                for await message in pressing {
                    got.append(message.payloadString)
                    if got.count == 300 { break }
                    if got.count % 50 == 0 { try? await Task.sleep(for: .milliseconds(20)) }
                }
                return got
            }
            try await MQTTClient.withConnection(configuration: configuration(broker), logger: logger) { publisher in
                for i in 0..<100 { try await publisher.publish("\(i)", to: "drop/x", qos: .atLeastOnce) }
                for i in 0..<300 { try await publisher.publish("\(i)", to: "press/x", qos: .atLeastOnce) }
            }
            let pressed = await consumer.value
            #expect(pressed == (0..<300).map(String.init))
            try await Task.sleep(for: .milliseconds(200))
            #expect(dropping.bufferedCount == 10)
            #expect(dropping.droppedCount == 90)
        }
    }

    @Test("The broker's refusal of an unauthorised QoS 1 publish surfaces as publishRejected(0x87)")
    func unauthorisedPublish() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-acl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let acl = directory.appendingPathComponent("acl")
        try "user v1\ntopic write fleet/v1/vehicles/v1/#\n".write(to: acl, atomically: true, encoding: .utf8)
        let broker = try TestBroker(extraConfiguration: ["acl_file \(acl.path)"])
        var config = configuration(broker, "v1")
        config.username = "v1"
        try await MQTTClient.withConnection(configuration: config, logger: logger) { client in
            try await client.publish("mine", to: "fleet/v1/vehicles/v1/telemetry", qos: .atLeastOnce)
            await #expect(throws: MQTTError.publishRejected(topic: "fleet/v1/vehicles/v2/telemetry", reasonCode: 0x87, message: "Not authorized")) {
                try await client.publish("theirs", to: "fleet/v1/vehicles/v2/telemetry", qos: .atLeastOnce)
            }
        }
    }

    @Test("Connecting to a port with no broker times out with the last error, and run() ends on shutdown")
    func connectTimeout() async throws {
        let port = try TestBroker.freePort()
        let client = try MQTTClient(configuration: MQTTConfiguration(port: port, clientID: "nobody", reconnectDelayMin: .milliseconds(50)), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            await #expect(throws: MQTTError.self) { try await client.waitUntilConnected(timeout: .milliseconds(500)) }
            client.shutdown()
            try await group.waitForAll()
        }
        await #expect(throws: MQTTError.shutdown) { try await client.publish("late", to: "t", qos: .atLeastOnce) }
    }
}
