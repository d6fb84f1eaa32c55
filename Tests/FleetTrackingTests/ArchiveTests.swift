import Configuration
import FleetCore
import FleetObjectStore
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Logging
import PostgresNIO
import Testing

@testable import FleetTracking

/// An object store that fails on purpose at one step, in front of the real one: the archive must keep every row when
/// the store or the process fails midway.
struct FailingStore: ObjectStore {
    enum Step: Sendable { case putNumber(Int), putManifest, getManifest }
    struct Injected: Error {}

    let base: any ObjectStore
    let failAt: Step
    let puts = Counter()

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }

    func put(_ key: String, body: [UInt8], contentType: String) async throws {
        let number = puts.next()
        switch failAt {
        case .putNumber(let n) where n == number: throw Injected()
        case .putManifest where key.hasSuffix("manifest.json"): throw Injected()
        default: try await base.put(key, body: body, contentType: contentType)
        }
    }

    func get(_ key: String, range: Range<Int>?) async throws -> [UInt8] {
        if case .getManifest = failAt, key.hasSuffix("manifest.json") { throw Injected() }
        return try await base.get(key, range: range)
    }

    func head(_ key: String) async throws -> ObjectInfo? { try await base.head(key) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await base.list(prefix: prefix) }
    func delete(_ key: String) async throws { try await base.delete(key) }
}

import Synchronization

/// The archive against the real database and the real S3-compatible server: what goes in comes back bit for bit, a
/// partition is dropped only after its archive verifies, and failures at every step keep the rows.
@Suite(
    "Cold archive", .enabled(if: TestPostgres.isConfigured && TestObjectStore.isConfigured, "needs the local stack (PostgreSQL, S3)"),
    .timeLimit(.minutes(3)))
struct ArchiveTests {
    static let oldDay = ArchiveDay(containing: TimestampPolicy.millis(from: .now) - 40 * ArchiveDay.millisPerDay)

    /// Rows of three vehicles on `day` (ids whose byte order differs from a locale's collation), with every optional
    /// present or absent, and fault codes.
    static func rows(on day: ArchiveDay, perVehicle: Int = 120) -> [ArchivedRow] {
        var rows: [ArchivedRow] = []
        for (v, vehicle) in ["arch-a", "arch-B", "arch_c.1"].enumerated() {
            for i in 0..<perVehicle {
                let micros = (day.startMillis + Int64(i) * 60_000 + Int64(v) * 1_000) * 1000 + Int64(i % 7) * 123
                rows.append(
                    ArchivedRow(
                        vehicleID: vehicle, seq: Int64(i + 1), deviceTimeMicros: micros, receivedAtMicros: micros + 250_456,
                        lat: 43.7 + Double(i) * 1e-5 + Double(v) * 1e-3, lon: 7.42 + Double(i) * 3.3e-6, accuracyM: i % 3 == 0 ? nil : 4.5,
                        speedMps: Float(i % 20) * 0.7, headingDeg: Float(i * 7 % 360), odometerM: 1_000.25 + Double(i) * 11.1,
                        batteryPct: v == 1 ? nil : 90 - Float(i) * 0.1, fuelPct: v == 1 ? 55.5 : nil, engineTempC: i % 2 == 0 ? 71.25 : nil,
                        rpm: nil, status: i % 50 == 49 ? "fault" : (i % 10 == 0 ? "idle" : "moving"),
                        faultCodes: i % 50 == 49 ? ["P0301", "BAT_LOW.2"] : nil))
            }
        }
        return rows
    }

    /// A migrated schema, a bucket, and an archiver over them.
    static func withArchive(
        partRows: Int = 100, store wrap: @escaping @Sendable (any ObjectStore) -> any ObjectStore = { $0 },
        _ body: @Sendable (PostgresTrackingRepository, @Sendable ((any ObjectStore) -> any ObjectStore, Int) -> TelemetryArchiver<PostgresTrackingRepository>, S3ObjectStore)
            async throws -> Void
    ) async throws {
        try await TestPostgres.withSchema { client, schema in
            let migrations = try MigrationRunner(
                client: client, schema: schema, migrations: try PostgresTrackingRepository.migrations(), logger: silentLogger)
            try await migrations.migrate()
            let repository = PostgresTrackingRepository(client: client, schema: schema, logger: silentLogger)
            try await TestObjectStore.withBucket { store, _ in
                let prefix = "test/\(schema)"
                let make: @Sendable ((any ObjectStore) -> any ObjectStore, Int) -> TelemetryArchiver<PostgresTrackingRepository> = { wrap, rows in
                    var c = ArchiveConfiguration()
                    c.prefix = prefix
                    c.partRows = rows
                    return TelemetryArchiver(
                        repository: repository, store: wrap(store), configuration: c, owner: "test-replica", metrics: ArchiveMetrics(),
                        manifests: ManifestCache(), logger: silentLogger)
                }
                try await body(repository, make, store)
            }
        }
    }

    static func partitionRows(_ repository: PostgresTrackingRepository, _ day: ArchiveDay) async throws -> [ArchivedRow] {
        var rows: [ArchivedRow] = []
        try await repository.streamPartition(day) { rows.append($0) }
        return rows
    }

    static func sorted(_ rows: [ArchivedRow]) -> [ArchivedRow] {
        rows.sorted { ($0.vehicleID, $0.deviceTimeMicros, $0.seq) < ($1.vehicleID, $1.deviceTimeMicros, $1.seq) }
    }

    @Test("Archive, verify, drop, read back by vehicle and restore: every row comes back exactly; a restored day is kept, then dropped again without a new upload")
    func roundTrip() async throws {
        try await Self.withArchive { repository, make, store in
            let day = Self.oldDay
            let original = Self.rows(on: day)
            try await repository.ensurePartition(day)
            #expect(try await repository.insertArchivedRows(original) == original.count)
            let archiver = make({ $0 }, 100)

            let outcome = try await archiver.archive(day, drop: true)
            #expect(outcome.result == "archived")
            #expect(outcome.dropped)
            #expect(outcome.rows == original.count)
            #expect(outcome.parts == 3)  // 120 rows per vehicle, parts of >= 100 rows split between vehicles
            #expect(try await !repository.partitionExists(day))
            let ledger = try #require(try await repository.archiveDays(from: day, to: day).first)
            #expect(ledger.state == .dropped)
            #expect(ledger.rows == Int64(original.count))
            #expect(!ledger.hot)

            // The stored objects: the manifest and its parts, nothing else; each part is plain gzip NDJSON.
            let manifest = try #require(try await archiver.loadManifest(archiver.manifestKey(day), cached: false))
            #expect(manifest.rows == original.count)
            let keys = try await store.list(prefix: archiver.dayPrefix(day) + "/").map(\.key)
            #expect(Set(keys) == Set(manifest.parts.map(\.key) + [archiver.manifestKey(day)]))
            let whole = try Gunzip.inflate(try await store.get(manifest.parts[0].key))
            #expect(Self.sorted(try ArchivedRow.decode(lines: whole)) == Self.sorted(original).filter { $0.vehicleID == "arch-B" })

            // One vehicle's rows by byte range, filtered by time, in the API's units.
            let from = day.startMillis + 10 * 60_000, to = day.startMillis + 20 * 60_000
            let samples = try await archiver.positions(vehicleID: "arch-B", days: [day], fromMillis: from, toMillis: to)
            let expected = original.filter {
                $0.vehicleID == "arch-B" && (from...to).contains(TelemetryArchiver<PostgresTrackingRepository>.millis(micros: $0.deviceTimeMicros))
            }
            #expect(samples.map(\.seq) == expected.map(\.seq))
            #expect(samples.first?.latitude == expected.first?.lat)
            #expect(try await archiver.positions(vehicleID: "nobody", days: [day], fromMillis: from, toMillis: to).isEmpty)

            // Restore: the partition comes back with exactly the same rows.
            let restored = try await archiver.restore(day)
            #expect(restored.rows == original.count && restored.inserted == original.count)
            #expect(try await Self.partitionRows(repository, day) == Self.sorted(original))
            #expect(try await repository.archiveDays(from: day, to: day).first?.state == .restored)
            // A second restore inserts nothing new.
            #expect(try await archiver.restore(day).inserted == 0)

            // Upkeep keeps a restored day during its restore period, then drops it reusing the archive.
            let now = TimestampPolicy.millis(from: .now)
            #expect(try await archiver.archiveExpired(nowMillis: now, retentionDays: 30).isEmpty)
            #expect(try await repository.partitionExists(day))
            let later = try await archiver.archiveExpired(nowMillis: now + 8 * ArchiveDay.millisPerDay, retentionDays: 30)
            #expect(later.map(\.result) == ["already_archived"])
            #expect(later.first?.dropped == true)
            #expect(try await !repository.partitionExists(day))
        }
    }

    @Test("A failure at any step of the upload or its verification keeps the partition and every row; the next run completes and removes stray parts")
    func failuresMidwayLoseNothing() async throws {
        try await Self.withArchive { repository, make, store in
            let day = Self.oldDay
            let original = Self.rows(on: day)
            try await repository.ensurePartition(day)
            _ = try await repository.insertArchivedRows(original)

            for step: FailingStore.Step in [.putNumber(2), .putManifest, .getManifest] {
                let failing = make({ FailingStore(base: $0, failAt: step) }, 50)
                await #expect(throws: (any Error).self, "\(step)") { _ = try await failing.archive(day, drop: true) }
                #expect(try await repository.partitionExists(day), "\(step)")
                #expect(try await Self.partitionRows(repository, day) == Self.sorted(original), "\(step)")
                let ledger = try #require(try await repository.archiveDays(from: day, to: day).first)
                #expect(ledger.state == .pending, "\(step)")
                #expect(ledger.lastError != nil, "\(step)")
            }
            // The failed attempts left parts of 50 rows (6 of them); the good run writes 3 and deletes the rest.
            let archiver = make({ $0 }, 100)
            let outcome = try await archiver.archive(day, drop: true)
            #expect(outcome.result == "archived" && outcome.dropped && outcome.rows == original.count)
            let manifest = try #require(try await archiver.loadManifest(archiver.manifestKey(day), cached: false))
            let keys = try await store.list(prefix: archiver.dayPrefix(day) + "/").map(\.key)
            #expect(Set(keys) == Set(manifest.parts.map(\.key) + [archiver.manifestKey(day)]))
            #expect(try await repository.archiveDays(from: day, to: day).first?.lastError == nil)
            _ = try await archiver.restore(day)
            #expect(try await Self.partitionRows(repository, day) == Self.sorted(original))
        }
    }

    @Test("Rows that arrive after an archive make the next run archive again; a drop whose count differs keeps the partition")
    func changedPartitionIsArchivedAgain() async throws {
        try await Self.withArchive { repository, make, _ in
            let day = Self.oldDay
            var rows = Self.rows(on: day, perVehicle: 30)
            try await repository.ensurePartition(day)
            _ = try await repository.insertArchivedRows(rows)
            let archiver = make({ $0 }, 1_000)
            let first = try await archiver.archive(day, drop: false)
            #expect(first.result == "archived" && !first.dropped)
            #expect(try await repository.archiveDays(from: day, to: day).first?.state == .archived)
            // Unchanged: reused.
            #expect(try await archiver.archive(day, drop: false).result == "already_archived")

            var late = rows[0]
            late.seq = 10_000
            late.deviceTimeMicros += 1
            _ = try await repository.insertArchivedRows([late])
            rows.append(late)
            #expect(try await !repository.dropArchivedPartition(day, expectedRows: first.rows))
            #expect(try await repository.partitionExists(day))

            let second = try await archiver.archive(day, drop: true)
            #expect(second.result == "archived" && second.dropped && second.rows == rows.count)
            _ = try await archiver.restore(day)
            #expect(try await Self.partitionRows(repository, day) == Self.sorted(rows))
        }
    }

    @Test("An empty day archives as an empty manifest and is dropped; restoring a day never archived is refused")
    func emptyAndUnknownDays() async throws {
        try await Self.withArchive { repository, make, _ in
            let day = Self.oldDay
            try await repository.ensurePartition(day)
            let archiver = make({ $0 }, 100)
            let outcome = try await archiver.archive(day, drop: true)
            #expect(outcome.result == "archived" && outcome.rows == 0 && outcome.parts == 0 && outcome.dropped)
            #expect(try await archiver.positions(vehicleID: "arch-a", days: [day], fromMillis: 0, toMillis: .max).isEmpty)
            let never = ArchiveDay(containing: day.startMillis - 5 * ArchiveDay.millisPerDay)
            await #expect(throws: ArchiveError.self) { _ = try await archiver.restore(never) }
            #expect(try await archiver.archive(never, drop: true).result == "no_partition")
        }
    }

    @Test func dayParsing() {
        #expect(ArchiveDay(iso: "2026-02-28")?.iso == "2026-02-28")
        #expect(ArchiveDay(iso: "2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "../etc", "", "2026-01-01x", "1969-12-31"] {
            #expect(ArchiveDay(iso: bad) == nil, "\(bad)")
        }
        let day = ArchiveDay(containing: 1_796_601_599_000)
        #expect(day.iso == "2026-12-06")
        #expect(day.partition == "telemetry_20261206")
        #expect(ArchiveDay.days(overlapping: day.startMillis, day.endMillis).count == 2)
    }
}

/// The archive through fleet-tracking's API: positions older than the retention answer from the archive (and say so),
/// archive and restore on demand, and their errors.
@Suite(
    "Cold archive through the API",
    .enabled(if: TestPostgres.isConfigured && TestObjectStore.isConfigured, "needs the local stack (PostgreSQL, S3)"),
    .timeLimit(.minutes(3)))
struct ArchiveAPITests {
    @Test("History older than the retention is read from the archive with Fleet-Data-Source: hot+archive; restore brings it back hot")
    func transparentReadsAndRestore() async throws {
        let bucket = TestObjectStore.bucketName()
        let extra = TrackingHarness.archiveValues(bucket: bucket)
        try await TrackingHarness.run(extra: extra) { harness, apis, vehicle in
            let api = apis[0]
            let now = TimestampPolicy.millis(from: .now)
            // A fresh sample through MQTT registers the vehicle and is hot.
            try await TrackingHarness.publish(TrackingHarness.telemetry("arch-api", seq: 1, at: now - 1_000), with: vehicle)
            try await eventually("the hot sample is stored") { try await TrackingHarness.vehicle("arch-api", from: api)?.latest != nil }
            // 40 days ago: older than the retention, written straight into its own partition.
            let repository = PostgresTrackingRepository(client: harness.admin, schema: harness.schema, logger: silentLogger)
            let day = ArchiveTests.oldDay
            try await repository.ensurePartition(day)
            let old = ArchiveTests.rows(on: day, perVehicle: 50).map { row -> ArchivedRow in
                var row = row
                row.vehicleID = row.vehicleID == "arch-a" ? "arch-api" : row.vehicleID
                return row
            }
            _ = try await repository.insertArchivedRows(old)
            let expectedOld = old.filter { $0.vehicleID == "arch-api" }.count

            let from = day.startMillis
            let hotOnly = try await api.execute(uri: "/v1/vehicles/arch-api/positions?from=\(from)&to=\(now)", method: .get)
            #expect(hotOnly.status == .ok)
            #expect(hotOnly.headers[.fleetDataSource] == "hot")
            #expect(try Self.points(hotOnly) == expectedOld + 1)

            // Archive within the retention may not drop; an impossible day is a 400; the old day archives and drops.
            let today = ArchiveDay(containing: now).iso
            #expect(try await api.execute(uri: "/v1/archive/days/\(today)?drop=true", method: .post).status == .conflict)
            #expect(try await api.execute(uri: "/v1/archive/days/2026-02-30", method: .post).status == .badRequest)
            #expect(try await api.execute(uri: "/v1/archive/days/2001-01-01", method: .post).status == .notFound)
            let reader = try await harness.identity.token(scopes: [.fleetRead])
            #expect(
                try await api.execute(uri: "/v1/archive/days/\(day.iso)?drop=true", method: .post, headers: [.authorization: "Bearer \(reader)"])
                    .status == .forbidden)
            let archived = try await api.execute(uri: "/v1/archive/days/\(day.iso)?drop=true", method: .post)
            #expect(archived.status == .ok, "\(String(buffer: archived.body))")
            let outcome = try JSONDecoder().decode(TelemetryArchiver<PostgresTrackingRepository>.Outcome.self, from: Data(buffer: archived.body))
            #expect(outcome.dropped && outcome.rows == old.count)
            #expect(try await !repository.partitionExists(day))

            // Same answer, now partly from the archive, and the headers say so.
            let mixed = try await api.execute(uri: "/v1/vehicles/arch-api/positions?from=\(from)&to=\(now)", method: .get)
            #expect(mixed.status == .ok)
            #expect(mixed.headers[.fleetDataSource] == "hot+archive")
            #expect(mixed.headers[.fleetArchiveDays] == day.iso)
            #expect(mixed.headers[.fleetArchiveReadMillis].flatMap(Int.init) != nil)
            #expect(try Self.points(mixed) == expectedOld + 1)
            let trips = try await api.execute(uri: "/v1/vehicles/arch-api/trips?from=\(from)&to=\(now)", method: .get)
            #expect(trips.status == .ok)
            #expect(trips.headers[.fleetDataSource] == "hot+archive")
            // limit applies to the merged answer, oldest first.
            let limited = try await api.execute(uri: "/v1/vehicles/arch-api/positions?from=\(from)&to=\(now)&limit=5", method: .get)
            #expect(try Self.points(limited) == 5)

            let (status, list) = try await TrackingHarness.get(ArchiveController<PostgresTrackingRepository, AppRequestContext>.DayListBody.self, "/v1/archive/days", from: api)
            #expect(status == .ok)
            #expect(list?.enabled == true)
            #expect(list?.days.first { $0.day == day.iso }?.state == .dropped)

            // Restore: hot again, with every row.
            let restored = try await api.execute(uri: "/v1/archive/days/\(day.iso)/restore", method: .post)
            #expect(restored.status == .ok, "\(String(buffer: restored.body))")
            #expect(try await repository.partitionRowCount(day) == old.count)
            let hotAgain = try await api.execute(uri: "/v1/vehicles/arch-api/positions?from=\(from)&to=\(now)", method: .get)
            #expect(hotAgain.headers[.fleetDataSource] == "hot")
            #expect(try Self.points(hotAgain) == expectedOld + 1)
            #expect(try await api.execute(uri: "/v1/archive/days/2001-01-01/restore", method: .post).status == .notFound)
        }
    }

    @Test("Without an object store the archive endpoints answer 503 and the ledger says disabled")
    func disabled() async throws {
        try await TrackingHarness.run { _, apis, _ in
            let api = apis[0]
            #expect(try await api.execute(uri: "/v1/archive/days/2001-01-01", method: .post).status == .serviceUnavailable)
            #expect(try await api.execute(uri: "/v1/archive/days/2001-01-01/restore", method: .post).status == .serviceUnavailable)
            let (status, list) = try await TrackingHarness.get(ArchiveController<PostgresTrackingRepository, AppRequestContext>.DayListBody.self, "/v1/archive/days", from: api)
            #expect(status == .ok && list?.enabled == false && list?.days.isEmpty == true)
        }
    }

    static func points(_ response: TestResponse) throws -> Int {
        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        let features = json?["features"] as? [[String: Any]] ?? []
        return features.filter { ($0["geometry"] as? [String: Any])?["type"] as? String == "Point" }.count
    }
}
