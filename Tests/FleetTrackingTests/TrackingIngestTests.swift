import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import Hummingbird
import PostgresNIO
import HummingbirdTesting
import Testing

@testable import FleetTracking

/// Ingest through a real Mosquitto into a real PostgreSQL.
@Suite("Tracking ingest (broker + PostgreSQL)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct TrackingIngestTests {
    @Test("MQTT telemetry is stored, queryable, and acknowledged with the committed sequence")
    func endToEnd() async throws {
        try await TrackingHarness.run { _, apis, vehicle in
            let api = apis[0]
            let commits = Collector(try await vehicle.subscribe(to: VehicleChannel.telemetryCommitted.filter))
            let start = TimestampPolicy.millis(from: .now) - 60_000
            for seq in 1...60 as ClosedRange<UInt64> {
                for id in ["van-1", "van-2"] {
                    try await TrackingHarness.publish(
                        TrackingHarness.telemetry(id, seq: seq, at: start + Int64(seq) * 1_000, lat: 43.73 + Double(seq) * 0.0001), with: vehicle)
                }
            }
            try await eventually("both vehicles committed to 60") {
                let a = try await TrackingHarness.vehicle("van-1", from: api)?.committedSeq
                let b = try await TrackingHarness.vehicle("van-2", from: api)?.committedSeq
                return a == 60 && b == 60
            }
            let record = try #require(try await TrackingHarness.vehicle("van-1", from: api))
            #expect(record.latest?.seq == 60)
            #expect(record.autoRegistered)
            #expect(abs((record.latest?.lat ?? 0) - 43.736) < 1e-9)

            // History as GeoJSON: one track plus one point per sample.
            try await api.execute(uri: "/v1/vehicles/van-1/positions?from=\(start)&to=\(start + 120_000)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/geo+json")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
                let features = try #require(json["features"] as? [[String: Any]])
                #expect(features.count == 61)
            }
            // The retained acknowledgement a vehicle resumes from.
            try await eventually("commit acknowledgement 60 for van-2") {
                commits.all.contains { message in
                    (try? FleetCodec.decode(TelemetryCommit.self, from: message.payload)).map { $0.vehicleID.rawValue == "van-2" && $0.sequence == 60 } ?? false
                }
            }
            let (status, summary) = try await TrackingHarness.get(FleetSummary.self, "/v1/fleet/summary", from: api)
            #expect(status == .ok)
            #expect(summary?.vehicles == 2)
            #expect(summary?.byStatus["moving"] == 2)
        }
    }

    @Test("A replayed message is stored once; the watermark waits for a gap and moves when it is filled")
    func duplicatesAndGaps() async throws {
        try await TrackingHarness.run { harness, apis, vehicle in
            let api = apis[0]
            let base = TimestampPolicy.millis(from: .now) - 10_000
            for seq in [1, 2, 2, 4, 5, 1] as [UInt64] {
                try await TrackingHarness.publish(TrackingHarness.telemetry("bus-7", seq: seq, at: base + Int64(seq) * 100), with: vehicle)
            }
            try await eventually("sequences 1, 2, 4, 5 stored") {
                try await TrackingHarness.vehicle("bus-7", from: api)?.latest?.seq == 5
            }
            // Seq 3 is missing: committed stays at 2 although 4 and 5 are stored.
            try await eventually("committed 2") { try await TrackingHarness.vehicle("bus-7", from: api)?.committedSeq == 2 }
            try await TrackingHarness.publish(TrackingHarness.telemetry("bus-7", seq: 3, at: base + 300), with: vehicle)
            try await eventually("committed 5 after the gap is filled") {
                try await TrackingHarness.vehicle("bus-7", from: api)?.committedSeq == 5
            }
            try await api.execute(uri: "/v1/vehicles/bus-7/positions?from=\(base)", method: .get) { response in
                let json = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect((json?["features"] as? [Any])?.count == 6)  // track + 5 distinct samples
            }
            _ = harness
        }
    }

    @Test("A gap older than the gap timeout is skipped, reported as an event and acknowledged")
    func gapTimeout() async throws {
        try await TrackingHarness.run(configure: { $0.gapTimeoutSeconds = 1 }) { _, apis, vehicle in
            let events = Collector(try await vehicle.subscribe(to: FleetTopics.events(.sequenceGap)))
            let now = TimestampPolicy.millis(from: .now)
            for seq in [1, 2, 10, 11] as [UInt64] {
                try await TrackingHarness.publish(TrackingHarness.telemetry("robot-1", seq: seq, at: now - 1_000 + Int64(seq)), with: vehicle)
            }
            try await eventually("watermark moved past 3...9") {
                try await TrackingHarness.vehicle("robot-1", from: apis[0])?.committedSeq == 11
            }
            try await eventually("sequence_gap event") {
                events.all.contains { (try? FleetCodec.decode(FleetEvent.self, from: $0.payload))?.attributes["missing_from"] == "3" }
            }
        }
    }

    @Test("A (vehicle, seq) pair is stored once whatever device time a resend carries; a late message of a skipped gap is stored")
    func sequenceIdentity() async throws {
        try await TrackingHarness.run(configure: { $0.gapTimeoutSeconds = 1 }) { harness, apis, vehicle in
            let api = apis[0]
            let now = TimestampPolicy.millis(from: .now) - 5_000
            func send(_ seq: UInt64, at time: Int64) async throws {
                try await TrackingHarness.publish(TrackingHarness.telemetry("robot-2", seq: seq, at: time), with: vehicle)
            }
            for seq in [1, 2, 10, 11] as [UInt64] { try await send(seq, at: now + Int64(seq) * 10) }
            try await eventually("gap 3...9 skipped") { try await TrackingHarness.vehicle("robot-2", from: api)?.committedSeq == 11 }
            // Resends with other device times (committed, pending-era and skipped-then-filled sequences), and one late
            // message of the skipped gap, sent twice.
            try await send(2, at: now + 2 * 10 + 7)
            try await send(10, at: now + 10 * 10 - 3)
            try await send(5, at: now + 5 * 10)
            try await send(5, at: now + 5 * 10 + 1)
            try await send(12, at: now + 120)
            try await eventually("seq 12 committed") { try await TrackingHarness.vehicle("robot-2", from: api)?.committedSeq == 12 }
            // A row the watermark does not know (written around the write path): the batch is stored again with
            // ON CONFLICT instead of failing for ever.
            try await harness.admin.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(harness.schema).telemetry (vehicle_id, seq, device_time, received_at, lat, lon, speed_mps, heading_deg, odometer_m, status)
                        VALUES ('robot-2', 13, to_timestamp(\(now + 130) / 1000.0), now(), 43.7, 7.4, 0, 0, 0, 'parked')
                        """))
            try await send(13, at: now + 130)
            try await send(14, at: now + 140)
            try await eventually("seq 14 committed despite the unknown row") {
                try await TrackingHarness.vehicle("robot-2", from: api)?.committedSeq == 14
            }
            let rows = try await harness.admin.query(
                PostgresQuery(unsafeSQL: "SELECT seq, count(*) FROM \(harness.schema).telemetry WHERE vehicle_id = 'robot-2' GROUP BY seq ORDER BY seq"))
            var counts: [Int64: Int64] = [:]
            for try await (seq, count) in rows.decode((Int64, Int64).self) { counts[seq] = count }
            #expect(counts == [1: 1, 2: 1, 5: 1, 10: 1, 11: 1, 12: 1, 13: 1, 14: 1])
        }
    }

    @Test("Sequences may start at 0; a device numbering again from the start is dead-lettered (sequence_reused), not dropped as a resend")
    func sequenceZeroAndReuse() async throws {
        // A long batch delay puts the resend of 0 in the same write as 1 (the case where the vehicle's stored latest is
        // still older than the resend).
        try await TrackingHarness.run(configure: { $0.batchDelayMillis = 1_500 }) { harness, apis, vehicle in
            let api = apis[0]
            let base = TimestampPolicy.millis(from: .now) - 60_000
            try await TrackingHarness.publish(TrackingHarness.telemetry("zero-1", seq: 0, at: base), with: vehicle)
            try await eventually("0 stored") { try await TrackingHarness.vehicle("zero-1", from: api)?.latest?.seq == 0 }
            // A resend of 0 with another device time, in one write with 1: a resend, not a renumbering.
            for (seq, time) in [(1, base + 1_000), (0, base + 5)] as [(UInt64, Int64)] {
                try await TrackingHarness.publish(TrackingHarness.telemetry("zero-1", seq: seq, at: time), with: vehicle)
            }
            try await eventually("committed 1") { try await TrackingHarness.vehicle("zero-1", from: api)?.committedSeq == 1 }
            #expect(try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters?reason=sequence_reused", from: api).1?.deadLetters.count == 0)
            // Reflashed: it numbers from 0 again, with samples newer than anything stored.
            try await TrackingHarness.publish(TrackingHarness.telemetry("zero-1", seq: 1, at: base + 30_000), with: vehicle)
            try await eventually("dead letter sequence_reused") {
                try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters?reason=sequence_reused", from: api).1?.deadLetters.count == 1
            }
            let rows = try await harness.admin.query(
                PostgresQuery(unsafeSQL: "SELECT seq, count(*) FROM \(harness.schema).telemetry WHERE vehicle_id = 'zero-1' GROUP BY seq ORDER BY seq"))
            var counts: [Int64: Int64] = [:]
            for try await (seq, count) in rows.decode((Int64, Int64).self) { counts[seq] = count }
            #expect(counts == [0: 1, 1: 1])
        }
    }

    @Test("A vehicle whose connection dies is shown offline by its real last will, though its later online states are newer")
    func lastWillAfterNewerStates() async throws {
        try await TrackingHarness.run { harness, apis, vehicle in
            let api = apis[0]
            let events = Collector(try await vehicle.subscribe(to: FleetTopics.events(.offline)))
            let id = try VehicleID("crash-1")
            let connectedAt = TimestampPolicy.millis(from: .now) - 10_000
            let connection = UInt64(connectedAt)
            func state(_ connectivity: Connectivity, at time: Int64, connection: UInt64?) throws -> [UInt8] {
                try FleetCodec.encode(VehicleState(vehicleID: id, connectivity: connectivity, lastSeenMillis: time, connection: connection))
            }
            // The device: a real MQTT connection (keep-alive 5 s, mosquitto_sub's least) whose will, set at CONNECT, is its offline state
            // dated at the connect time, as devices compose it.
            let will = String(decoding: try state(.offline, at: connectedAt, connection: connection), as: UTF8.self)
            let directory = try ChildProcess.temporaryDirectory("will")
            let device = try ChildProcess.spawn(
                "/usr/bin/mosquitto_sub",
                ["-h", "127.0.0.1", "-p", "\(harness.broker.port)", "-i", "crash-1-device", "-k", "5", "-q", "1",
                 "-t", VehicleChannel.commands.topic(for: id), "--will-topic", VehicleChannel.state.topic(for: id),
                 "--will-payload", will, "--will-qos", "1", "--will-retain"],
                environment: ChildProcess.cleanEnvironment(), stdoutPath: directory.appendingPathComponent("out").path,
                stderrPath: directory.appendingPathComponent("err").path)
            defer { _ = ChildProcess.terminate(device, grace: .milliseconds(100)) }
            try await eventually("device connected") { harness.broker.log.contains("crash-1-device") }
            // Its first telemetry registers it; then its online states: on connect, and a later one (newer last_seen
            // than the will's).
            try await TrackingHarness.publish(TrackingHarness.telemetry("crash-1", seq: 1, at: connectedAt + 100), with: vehicle)
            for time in [connectedAt, connectedAt + 8_000] {
                try await vehicle.publish(try state(.online, at: time, connection: connection), to: VehicleChannel.state.topic(for: id), retain: true)
            }
            try await eventually("online") { try await TrackingHarness.vehicle("crash-1", from: api)?.connectivity == "online" }
            // The connection dies without a DISCONNECT (the process freezes): the broker gives up after 1.5 keep-alives
            // and publishes the will.
            kill(device, SIGSTOP)
            // The broker waits 1.5 keep-alives (7.5 s) before it publishes the will; tracking then needs one state write.
            // (Measured here: under 11 s alone, 12 s beside the other suites; the bound only keeps a stuck will from passing.)
            try await eventually("offline within the keep-alive bound", seconds: 25) {
                try await TrackingHarness.vehicle("crash-1", from: api)?.connectivity == "offline"
            }
            try await eventually("offline event") {
                events.all.contains { (try? FleetCodec.decode(FleetEvent.self, from: $0.payload))?.vehicleID == id }
            }
            kill(device, SIGKILL)

            // A new connection wins over the old one's will, whichever arrives last.
            let next = connection + 1
            try await vehicle.publish(try state(.online, at: connectedAt + 20_000, connection: next), to: VehicleChannel.state.topic(for: id), retain: true)
            try await eventually("online again") { try await TrackingHarness.vehicle("crash-1", from: api)?.connectivity == "online" }
            try await vehicle.publish(try state(.offline, at: connectedAt + 30_000, connection: connection), to: VehicleChannel.state.topic(for: id), retain: true)
            // An online of the dead connection, arriving late, does not revive it either; a marker state shows both were read.
            try await vehicle.publish(try state(.offline, at: connectedAt + 21_000, connection: next), to: VehicleChannel.state.topic(for: id), retain: true)
            try await eventually("the new connection's own will") { try await TrackingHarness.vehicle("crash-1", from: api)?.connectivity == "offline" }
            try await vehicle.publish(try state(.online, at: connectedAt + 40_000, connection: next), to: VehicleChannel.state.topic(for: id), retain: true)
            try await vehicle.publish(try state(.online, at: connectedAt + 50_000, connection: connection), to: VehicleChannel.state.topic(for: id), retain: true)
            try await Task.sleep(for: .milliseconds(800))
            #expect(try await TrackingHarness.vehicle("crash-1", from: api)?.connectivity == "offline")
            // Only the two transitions to offline raised events.
            #expect(events.all.filter { (try? FleetCodec.decode(FleetEvent.self, from: $0.payload))?.vehicleID == id }.count == 2)
        }
    }

    @Test("Committed positions reach the compact position stream: the newest per vehicle, one entry per vehicle per batch")
    func positionStream() async throws {
        try await TrackingHarness.run { _, _, vehicle in
            let batches = Collector(try await vehicle.subscribe(to: FleetTopics.allPositions))
            let base = TimestampPolicy.millis(from: .now) - 2_000
            for seq in [1, 2, 3] as [UInt64] {
                try await TrackingHarness.publish(
                    TrackingHarness.telemetry("pos-1", seq: seq, at: base + Int64(seq) * 100, lat: 43.70 + Double(seq) * 0.01), with: vehicle)
            }
            try await TrackingHarness.publish(TrackingHarness.telemetry("pos-2", seq: 7, at: base, lat: 43.75), with: vehicle)
            func decoded() -> [PositionBatch] { batches.all.compactMap { try? FleetCodec.decode(PositionBatch.self, from: $0.payload) } }
            try await eventually("pos-1 at seq 3 and pos-2 in the stream") {
                let entries = decoded().flatMap(\.positions)
                return entries.contains { $0.vehicleID.rawValue == "pos-1" && $0.sequence == 3 } && entries.contains { $0.vehicleID.rawValue == "pos-2" }
            }
            let newest = try #require(decoded().flatMap(\.positions).last { $0.vehicleID.rawValue == "pos-1" })
            #expect(abs(newest.latitude - 43.73) < 1e-6)
            for batch in decoded() {
                #expect(Set(batch.positions.map(\.vehicleID)).count == batch.positions.count, "one entry per vehicle in a batch")
            }
            #expect(batches.all.allSatisfy { $0.topic.hasPrefix(FleetTopics.positionsPrefix + "/") })
        }
    }

    @Test("Every commit reaches the commit stream within a tick, though the per-vehicle acknowledgement is rate-limited")
    func commitStream() async throws {
        // A long per-vehicle interval: after the first acknowledgement, only the stream can tell of seq 2 and 3 in time.
        try await TrackingHarness.run(configure: { $0.commitIntervalMillis = 60_000 }) { _, _, vehicle in
            let batches = Collector(try await vehicle.subscribe(to: FleetTopics.allCommits))
            let acks = Collector(try await vehicle.subscribe(to: VehicleChannel.telemetryCommitted.topic(for: try VehicleID("commit-1"))))
            func streamed() -> [(topic: String, entry: CommitBatch.Entry)] {
                batches.all.flatMap { message in
                    ((try? FleetCodec.decode(CommitBatch.self, from: message.payload))?.commits ?? []).map { (message.topic, $0) }
                }
            }
            let base = TimestampPolicy.millis(from: .now) - 2_000
            try await TrackingHarness.publish(TrackingHarness.telemetry("commit-1", seq: 1, at: base), with: vehicle)
            try await eventually("first per-vehicle acknowledgement") { !acks.all.isEmpty }
            for seq in [2, 3] as [UInt64] {
                try await TrackingHarness.publish(TrackingHarness.telemetry("commit-1", seq: seq, at: base + Int64(seq) * 100), with: vehicle)
            }
            try await TrackingHarness.publish(TrackingHarness.telemetry("commit-2", seq: 1, at: base), with: vehicle)
            let (first, second) = (try VehicleID("commit-1"), try VehicleID("commit-2"))
            try await eventually("commit-1 at 3 and commit-2 at 1 in the stream") {
                let entries = streamed().map(\.entry)
                return entries.contains(CommitBatch.Entry(vehicleID: first, sequence: 3))
                    && entries.contains(CommitBatch.Entry(vehicleID: second, sequence: 1))
            }
            // The per-vehicle acknowledgement still says 1: the stream is not rate-limited.
            let acknowledged = acks.all.compactMap { try? FleetCodec.decode(TelemetryCommit.self, from: $0.payload) }.map(\.sequence)
            #expect(acknowledged.max() == 1)
            for (topic, entry) in streamed() {
                #expect(topic == FleetTopics.commits(shard: VehicleShard.index(of: entry.vehicleID.rawValue, count: 4)), "a vehicle's shard")
            }
            for batch in batches.all.compactMap({ try? FleetCodec.decode(CommitBatch.self, from: $0.payload) }) {
                #expect(Set(batch.commits.map(\.vehicleID)).count == batch.commits.count, "one entry per vehicle in a batch")
            }
        }
    }

    @Test("Every rejection reason is counted, stored as a dead letter and published on the dead-letter topic")
    func rejections() async throws {
        try await TrackingHarness.run { _, apis, vehicle in
            let api = apis[0]
            let deadLetters = Collector(try await vehicle.subscribe(to: "fleet/v1/deadletter/tracking"))
            let now = TimestampPolicy.millis(from: .now)
            var valid = TrackingHarness.telemetry("car-1", seq: 1, at: now)
            let cases = try HostileTelemetry.cases(valid, spoofedAs: try VehicleID("car-2"), now: now).map { ($0.topic, $0.payload, $0.reason) }
            for (topic, payload, _) in cases {
                try await vehicle.publish(payload, to: topic)
            }
            valid.sequence = 2
            try await TrackingHarness.publish(valid, with: vehicle)
            try await eventually("valid message stored after the bad ones") {
                try await TrackingHarness.vehicle("car-1", from: api)?.latest?.seq == 2
            }
            try await eventually("all dead letters stored") {
                try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters", from: api).1?.deadLetters.count == cases.count
            }
            let stored = try #require(try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters?limit=100", from: api).1)
            #expect(Set(stored.deadLetters.map(\.reason)) == Set(cases.map(\.2.rawValue)))
            let malformed = try #require(stored.deadLetters.first { $0.reason == "malformed" })
            #expect(Data(base64Encoded: malformed.payload) == Data("{not json".utf8))
            try await eventually("dead letters published") { deadLetters.all.count == cases.count }
            let (filterStatus, _) = try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters?reason=nonsense", from: api)
            #expect(filterStatus == .badRequest)
        }
    }

    @Test("With the reject policy an unknown vehicle is refused until it is registered")
    func unknownVehiclePolicy() async throws {
        try await TrackingHarness.run(configure: { $0.unknownVehicles = .reject }) { _, apis, vehicle in
            let api = apis[0]
            try await TrackingHarness.publish(TrackingHarness.telemetry("stranger", seq: 1), with: vehicle)
            try await eventually("unknown_vehicle dead letter") {
                try await TrackingHarness.get(DeadLetterList.self, "/v1/dead-letters?reason=unknown_vehicle", from: api).1?.deadLetters.count == 1
            }
            #expect(try await TrackingHarness.vehicle("stranger", from: api) == nil)
            try await api.execute(
                uri: "/v1/vehicles", method: .post, body: ByteBuffer(string: #"{"id":"stranger","tags":["north"],"speed_limit_kmh":50}"#)
            ) { #expect($0.status == .ok) }
            try await TrackingHarness.publish(TrackingHarness.telemetry("stranger", seq: 2), with: vehicle)
            try await eventually("stored once registered") {
                try await TrackingHarness.vehicle("stranger", from: api)?.latest?.seq == 2
            }
            let tagged = try await TrackingHarness.get(VehicleList.self, "/v1/vehicles?tag=north", from: api).1
            #expect(tagged?.vehicles.map(\.id) == ["stranger"])
        }
    }

    @Test("A broker restart in the middle of a stream loses nothing")
    func brokerRestart() async throws {
        try await TrackingHarness.run { harness, apis, vehicle in
            let base = TimestampPolicy.millis(from: .now) - 100_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for seq in 1...400 as ClosedRange<UInt64> {
                        // QoS 1 publish returns on PUBACK and is resent by FleetMQTT across the restart.
                        try await TrackingHarness.publish(TrackingHarness.telemetry("truck-9", seq: seq, at: base + Int64(seq) * 100), with: vehicle)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(150))
                    try await harness.broker.restart(downtime: .milliseconds(700))
                }
                try await group.waitForAll()
            }
            // Like a real vehicle (and fleet-sim): whatever is not acknowledged as committed is resent. Messages
            // published while the tracking replica had not yet renewed its subscription after the restart are
            // dropped by the broker (no subscriber); the committed-sequence protocol is what recovers them.
            var lastProgress = ContinuousClock.now
            var committed: Int64 = 0
            try await eventually("all 400 committed", seconds: 60) {
                let now = try await TrackingHarness.vehicle("truck-9", from: apis[0])?.committedSeq ?? 0
                if now > committed {
                    committed = now
                    lastProgress = .now
                } else if now < 400, lastProgress.duration(to: .now) > .seconds(2) {
                    for seq in UInt64(now + 1)...400 {
                        try await TrackingHarness.publish(TrackingHarness.telemetry("truck-9", seq: seq, at: base + Int64(seq) * 100), with: vehicle)
                    }
                    lastProgress = .now
                }
                return now == 400
            }
        }
    }

    /// The service's tables disappear for 1.5 s in the middle of a stream, as when its database is restored or fails
    /// over: every write fails until they are back, then everything is stored. (The connections are not cut: killing
    /// them with `pg_terminate_backend` could leave PostgresNIO 1.33.2's pools without connections for good, which
    /// hung the whole suite about one run in four; see the closing note of issue #14.)
    @Test("A database outage in the middle of a stream (writes failing for 1.5 s) loses nothing")
    func databaseOutage() async throws {
        try await TrackingHarness.run { harness, apis, vehicle in
            let base = TimestampPolicy.millis(from: .now) - 100_000
            let schema = harness.schema
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for seq in 1...300 as ClosedRange<UInt64> {
                        try await TrackingHarness.publish(TrackingHarness.telemetry("tram-3", seq: seq, at: base + Int64(seq) * 100), with: vehicle)
                        if seq % 50 == 0 { try await Task.sleep(for: .milliseconds(100)) }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(200))
                    try await harness.admin.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(schema).commit_watermarks RENAME TO commit_watermarks_away"))
                    try await Task.sleep(for: .milliseconds(1_500))
                    try await harness.admin.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(schema).commit_watermarks_away RENAME TO commit_watermarks"))
                }
                try await group.waitForAll()
            }
            try await eventually("all 300 committed after the outage", seconds: 120) {
                try await TrackingHarness.vehicle("tram-3", from: apis[0])?.committedSeq == 300
            }
        }
    }

    @Test("Two replicas on one shared subscription store everything exactly once")
    func twoReplicas() async throws {
        try await TrackingHarness.run(replicas: 2) { _, apis, vehicle in
            let base = TimestampPolicy.millis(from: .now) - 100_000
            for seq in 1...250 as ClosedRange<UInt64> {
                for id in ["r-1", "r-2", "r-3", "r-4"] {
                    try await TrackingHarness.publish(TrackingHarness.telemetry(id, seq: seq, at: base + Int64(seq) * 100), with: vehicle)
                }
            }
            for id in ["r-1", "r-2", "r-3", "r-4"] {
                try await eventually("\(id) committed 250 (read from either replica)") {
                    try await TrackingHarness.vehicle(id, from: apis[1])?.committedSeq == 250
                }
                try await apis[0].execute(uri: "/v1/vehicles/\(id)/positions?from=\(base)&limit=10000", method: .get) { response in
                    let json = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                    let points = (json?["features"] as? [[String: Any]])?.filter { ($0["geometry"] as? [String: Any])?["type"] as? String == "Point" }
                    let sequences = points?.compactMap { ($0["properties"] as? [String: Any])?["seq"] as? Int } ?? []
                    #expect(sequences.count == 250)
                    #expect(Set(sequences) == Set(1...250))
                }
            }
        }
    }
}
