import CoreMetrics
import FleetCore
import FleetObjectStore
import Foundation
import Logging

/// Moves expired telemetry days to object storage and back, and reads them for history requests.
///
/// A day is archived as gzip NDJSON parts plus a manifest written last; the partition is dropped only after every part
/// was downloaded again and checked (SHA-256 and row count) and, in the dropping transaction, the partition still holds
/// exactly the archived rows. A failure at any step leaves the partition in place and the next run starts over, so no
/// row is lost if the upload or the process fails midway. Replicas share the work through a lease per day.
struct TelemetryArchiver<Repository: ArchiveRepository>: Sendable {
    let repository: Repository
    let store: any ObjectStore
    let configuration: ArchiveConfiguration
    /// This replica's name in the day leases.
    let owner: String
    let metrics: ArchiveMetrics
    let manifests: ManifestCache
    let logger: Logger
    /// How long a lease lasts: longer than any day takes.
    var leaseSeconds = 3_600

    /// What one archive run did.
    struct Outcome: Sendable, Codable, Equatable {
        var day: String
        /// `archived`, `already_archived` (manifest matched the partition), `no_partition`, `busy` (another replica) or
        /// `rows_changed` (rows arrived after the upload: archived again next run).
        var result: String
        var rows: Int
        var bytes: Int
        var parts: Int
        var dropped: Bool
        var seconds: Double
    }

    /// `<prefix>/telemetry/day=YYYY-MM-DD`.
    func dayPrefix(_ day: ArchiveDay) -> String { "\(configuration.prefix)/telemetry/day=\(day.iso)" }

    func manifestKey(_ day: ArchiveDay) -> String { "\(dayPrefix(day))/manifest.json" }

    // MARK: Archiving

    /// Archives the day (again, if the partition changed since) and, with `drop`, drops its partition once the archive
    /// is verified.
    func archive(_ day: ArchiveDay, drop: Bool) async throws -> Outcome {
        let started = ContinuousClock.now
        var outcome = Outcome(day: day.iso, result: "busy", rows: 0, bytes: 0, parts: 0, dropped: false, seconds: 0)
        guard let record = try await repository.claimArchiveDay(day, owner: owner, leaseSeconds: leaseSeconds) else {
            metrics.count("archive", "busy")
            return outcome
        }
        do {
            outcome = try await archiveClaimed(day, record: record, drop: drop)
            try await repository.releaseArchiveDay(day, owner: owner, error: nil)
        } catch {
            metrics.count("archive", "failed")
            logger.error("Archiving a telemetry day failed; its partition is kept", metadata: ["day": "\(day)", "error": "\(error)"])
            try? await repository.releaseArchiveDay(day, owner: owner, error: "\(error)")
            throw error
        }
        outcome.seconds = (ContinuousClock.now - started).seconds
        metrics.count("archive", outcome.result)
        if outcome.result == "archived" { metrics.archiveDuration.recordSeconds(outcome.seconds) }
        return outcome
    }

    private func archiveClaimed(_ day: ArchiveDay, record: ArchiveDayRecord, drop: Bool) async throws -> Outcome {
        var outcome = Outcome(day: day.iso, result: "no_partition", rows: 0, bytes: 0, parts: 0, dropped: false, seconds: 0)
        guard try await repository.partitionExists(day) else { return outcome }
        let hotRows = try await repository.partitionRowCount(day)
        var manifest: ArchiveManifest
        if record.manifestKey == manifestKey(day), record.rows == Int64(hotRows),
            let existing = try await loadManifest(manifestKey(day)), existing.rows == hotRows
        {
            // Archived before with these rows (on demand, or restored): check the objects are all there, and reuse it.
            try await verify(existing, download: false)
            manifest = existing
            outcome.result = "already_archived"
        } else {
            manifest = try await upload(day)
            try await verify(manifest, download: configuration.verifyDownload)
            try await removeStrays(day, keeping: manifest)
            try await repository.markArchived(
                day, manifestKey: manifestKey(day), rows: manifest.rows, bytes: manifest.bytes, parts: manifest.parts.count)
            metrics.rowsArchived.increment(by: manifest.rows)
            metrics.bytesArchived.increment(by: manifest.bytes)
            outcome.result = "archived"
            logger.info(
                "Telemetry day archived",
                metadata: ["day": "\(day)", "rows": "\(manifest.rows)", "bytes": "\(manifest.bytes)", "parts": "\(manifest.parts.count)"])
        }
        outcome.rows = manifest.rows
        outcome.bytes = manifest.bytes
        outcome.parts = manifest.parts.count
        if drop {
            if try await repository.dropArchivedPartition(day, expectedRows: manifest.rows) {
                outcome.dropped = true
                metrics.count("drop", "dropped")
                logger.info("Archived telemetry partition dropped", metadata: ["day": "\(day)", "rows": "\(manifest.rows)"])
            } else {
                outcome.result = "rows_changed"
                metrics.count("drop", "rows_changed")
                logger.warning("Partition changed after its archive; kept, archived again next run", metadata: ["day": "\(day)"])
            }
        }
        return outcome
    }

    /// Streams the partition into parts of about `partRows` rows (split between vehicles), one gzip member per vehicle,
    /// uploads each part as it fills, then the manifest.
    private func upload(_ day: ArchiveDay) async throws -> ArchiveManifest {
        let writer = GzipWriter(level: 6)
        var parts: [ArchivePart] = []
        var spans: [ArchiveVehicleSpan] = []
        var current: String?
        var vehicleRows = 0
        var partRows = 0

        func closeVehicle() throws {
            guard let vehicle = current else { return }
            let range = try writer.finishMember()
            spans.append(ArchiveVehicleSpan(vehicleID: vehicle, offset: range.lowerBound, length: range.count, rows: vehicleRows))
            current = nil
            vehicleRows = 0
        }
        func uploadPart() async throws {
            guard !spans.isEmpty else { return }
            let bytes = writer.takeOutput()
            let key = "\(dayPrefix(day))/part-\(String(format: "%05d", parts.count)).ndjson.gz"
            try await store.put(key, body: bytes, contentType: "application/gzip")
            parts.append(
                ArchivePart(
                    key: key, rows: partRows, bytes: bytes.count, sha256: ObjectDigest.sha256Hex(bytes), firstVehicle: spans.first!.vehicleID,
                    lastVehicle: spans.last!.vehicleID, vehicles: spans))
            spans = []
            partRows = 0
        }

        try await repository.streamPartition(day) { row in
            if row.vehicleID != current {
                if let current, row.vehicleID < current {
                    throw ArchiveError.verification("rows are not in vehicle byte order (\(current), then \(row.vehicleID))")
                }
                try closeVehicle()
                if partRows >= configuration.partRows { try await uploadPart() }
                current = row.vehicleID
            }
            try writer.write(row.line())
            vehicleRows += 1
            partRows += 1
        }
        try closeVehicle()
        try await uploadPart()
        let manifest = ArchiveManifest(
            day: day.iso, dayStartMillis: day.startMillis, rows: parts.reduce(0) { $0 + $1.rows },
            bytes: parts.reduce(0) { $0 + $1.bytes }, createdMillis: TimestampPolicy.millis(from: .now), parts: parts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.put(manifestKey(day), body: Array(try encoder.encode(manifest)), contentType: "application/json")
        await manifests.remove(manifestKey(day))
        return manifest
    }

    /// Checks the archive as stored: the manifest reads back equal, every part has its size and, with `download`, its
    /// SHA-256 and row count (every gzip member inflates to its vehicle's rows).
    private func verify(_ manifest: ArchiveManifest, download: Bool) async throws {
        let day = ArchiveDay(containing: manifest.dayStartMillis)
        guard let stored = try await loadManifest(manifestKey(day), cached: false), stored == manifest else {
            throw ArchiveError.verification("manifest of \(day) does not read back as written")
        }
        for part in manifest.parts {
            if download {
                let bytes = try await store.get(part.key)
                guard bytes.count == part.bytes, ObjectDigest.sha256Hex(bytes) == part.sha256 else {
                    throw ArchiveError.verification("\(part.key): size or SHA-256 differs from the manifest")
                }
                for span in part.vehicles {
                    let lines = try Gunzip.inflate(Array(bytes[span.offset..<(span.offset + span.length)]))
                    let count = lines.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
                    guard count == span.rows else {
                        throw ArchiveError.verification("\(part.key): \(span.vehicleID) has \(count) rows, the manifest says \(span.rows)")
                    }
                }
            } else {
                guard let info = try await store.head(part.key), info.size == part.bytes else {
                    throw ArchiveError.verification("\(part.key) is missing or not \(part.bytes) bytes")
                }
            }
        }
    }

    /// Deletes objects under the day's folder that the manifest does not name (parts of an earlier, longer attempt).
    private func removeStrays(_ day: ArchiveDay, keeping manifest: ArchiveManifest) async throws {
        var keep = Set(manifest.parts.map(\.key))
        keep.insert(manifestKey(day))
        for object in try await store.list(prefix: dayPrefix(day) + "/") where !keep.contains(object.key) {
            try await store.delete(object.key)
        }
    }

    func loadManifest(_ key: String, cached: Bool = true) async throws -> ArchiveManifest? {
        if cached, let manifest = await manifests.get(key) { return manifest }
        let bytes: [UInt8]
        do {
            bytes = try await store.get(key)
        } catch ObjectStoreError.notFound {
            return nil
        }
        let manifest = try JSONDecoder().decode(ArchiveManifest.self, from: Data(bytes))
        if cached { await manifests.put(key, manifest) }
        return manifest
    }

    // MARK: Restoring

    /// Puts an archived day back into the hot store (rows already there are kept) for ``ArchiveConfiguration/restoreDays``;
    /// returns the rows inserted.
    func restore(_ day: ArchiveDay) async throws -> (rows: Int, inserted: Int) {
        guard try await repository.claimArchiveDay(day, owner: owner, leaseSeconds: leaseSeconds) != nil else {
            metrics.count("restore", "busy")
            throw ArchiveError.busy(day.iso)
        }
        do {
            guard let manifest = try await loadManifest(manifestKey(day), cached: false) else {
                throw ArchiveError.notArchived(day.iso)
            }
            try await repository.ensurePartition(day)
            var inserted = 0
            for part in manifest.parts {
                let rows = try await verifiedRows(of: part)
                guard rows.count == part.rows else {
                    throw ArchiveError.verification("\(part.key) holds \(rows.count) rows, the manifest says \(part.rows)")
                }
                var index = 0
                while index < rows.count {
                    let end = min(index + 5_000, rows.count)
                    inserted += try await repository.insertArchivedRows(Array(rows[index..<end]))
                    index = end
                }
            }
            let hotRows = try await repository.partitionRowCount(day)
            guard hotRows >= manifest.rows else {
                throw ArchiveError.verification("\(day): \(hotRows) rows after the restore, the archive has \(manifest.rows)")
            }
            let until = TimestampPolicy.millis(from: .now) + Int64(configuration.restoreDays) * ArchiveDay.millisPerDay
            try await repository.markRestored(day, untilMillis: until)
            try await repository.releaseArchiveDay(day, owner: owner, error: nil)
            metrics.rowsRestored.increment(by: inserted)
            metrics.count("restore", "restored")
            logger.info("Telemetry day restored", metadata: ["day": "\(day)", "rows": "\(manifest.rows)", "inserted": "\(inserted)"])
            return (manifest.rows, inserted)
        } catch {
            metrics.count("restore", "failed")
            try? await repository.releaseArchiveDay(day, owner: owner, error: "restore: \(error)")
            throw error
        }
    }

    // MARK: Upkeep

    /// Archives and drops every expired partition, except restored days still within their restore period. Returns what
    /// each day's run did; a failing day is logged and left for the next run.
    func archiveExpired(nowMillis: Int64, retentionDays: Int) async throws -> [Outcome] {
        let cutoff = nowMillis - Int64(retentionDays) * ArchiveDay.millisPerDay
        let expired = try await repository.expiredPartitionDays(endingBefore: cutoff)
        guard !expired.isEmpty else { return [] }
        let ledger = Dictionary(
            try await repository.archiveDays(from: expired.first, to: expired.last).map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        var outcomes: [Outcome] = []
        for day in expired {
            if let record = ledger[day.iso], record.state == .restored,
                let until = record.restoredUntilMillis, until > nowMillis
            {
                continue
            }
            do {
                outcomes.append(try await archive(day, drop: true))
            } catch {
                continue  // logged and counted by archive(_:drop:); the partition stays
            }
        }
        return outcomes
    }

    // MARK: Reading

    /// `vehicleID`'s archived samples in `fromMillis...toMillis` from the given dropped days, in device-time order.
    func positions(vehicleID: String, days: [ArchiveDay], fromMillis: Int64, toMillis: Int64) async throws -> [PositionSample] {
        let started = ContinuousClock.now
        defer { metrics.readDuration.recordSeconds((ContinuousClock.now - started).seconds) }
        var samples: [PositionSample] = []
        for day in days.sorted() {
            guard let manifest = try await loadManifest(manifestKey(day)) else {
                metrics.count("read", "missing_manifest")
                throw ArchiveError.notArchived(day.iso)
            }
            guard let (part, span) = manifest.span(of: vehicleID) else { continue }
            let bytes = try await store.get(part.key, range: span.offset..<(span.offset + span.length))
            for row in try ArchivedRow.decode(lines: try Gunzip.inflate(bytes)) {
                let millis = Self.millis(micros: row.deviceTimeMicros)
                guard millis >= fromMillis, millis <= toMillis else { continue }
                samples.append(
                    PositionSample(
                        seq: row.seq, deviceTimeMillis: millis, latitude: row.lat, longitude: row.lon,
                        speedMetersPerSecond: Double(row.speedMps), headingDegrees: Double(row.headingDeg),
                        odometerMeters: row.odometerM, status: row.status))
            }
        }
        metrics.count("read", "ok")
        return samples
    }

    /// Microseconds to milliseconds, rounded to nearest (as the hot store's reads round).
    static func millis(micros: Int64) -> Int64 {
        (micros >= 0 ? micros + 500 : micros - 500) / 1000
    }
}

/// Why an archive operation failed.
enum ArchiveError: Error, CustomStringConvertible {
    case verification(String)
    case notArchived(String)
    case busy(String)

    var description: String {
        switch self {
        case .verification(let detail): "archive verification failed: \(detail)"
        case .notArchived(let day): "no archive of \(day)"
        case .busy(let day): "another replica is working on \(day)"
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension TelemetryArchiver {
    /// Every archived row of a dropped day, part after part (vehicles in byte order, each in device-time order); each
    /// part's SHA-256 is checked before its rows are used.
    func forEachArchivedRow(_ day: ArchiveDay, _ body: (ArchivedRow) async throws -> Void) async throws {
        guard let manifest = try await loadManifest(manifestKey(day)) else { throw ArchiveError.notArchived(day.iso) }
        for part in manifest.parts {
            for row in try await verifiedRows(of: part) { try await body(row) }
        }
    }

    /// A part's rows, after checking its SHA-256 against the manifest.
    func verifiedRows(of part: ArchivePart) async throws -> [ArchivedRow] {
        let bytes = try await store.get(part.key)
        guard ObjectDigest.sha256Hex(bytes) == part.sha256 else {
            throw ArchiveError.verification("\(part.key): SHA-256 differs from the manifest")
        }
        return try ArchivedRow.decode(lines: try Gunzip.inflate(bytes))
    }
}
