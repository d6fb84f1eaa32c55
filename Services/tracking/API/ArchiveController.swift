import FleetCore
import FleetObjectStore
import FleetService
import Foundation
import Hummingbird

/// `/v1/archive/days…`: the cold archive's ledger, archiving a day on demand, restoring one into the hot store.
struct ArchiveController<Repository: TrackingRepository & ArchiveRepository, Context: AuthenticatedRequestContext>: Sendable {
    let repository: Repository
    let archiver: TelemetryArchiver<Repository>?
    let retentionDays: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("archive/days", use: list)
        group.post("archive/days/:day", use: archive)
        group.post("archive/days/:day/restore", use: restore)
    }

    /// `GET /v1/archive/days`.
    typealias DayList = DayListBody

    /// `GET /v1/archive/days`.
    struct DayListBody: ResponseEncodable, Decodable {
        /// Whether an object store is configured.
        var enabled: Bool
        var days: [ArchiveDayRecord]
    }

    /// `POST /v1/archive/days/{day}/restore`.
    struct Restored: ResponseEncodable {
        var day: String
        /// Rows in the archive.
        var rows: Int
        /// Rows that were not already in the hot store.
        var inserted: Int
        var restoredUntil: String?

        enum CodingKeys: String, CodingKey {
            case day, rows, inserted
            case restoredUntil = "restored_until"
        }
    }

    private func day(_ context: Context, name: String = "day") throws -> ArchiveDay {
        let raw = try context.parameters.require(name)
        guard let day = ArchiveDay(iso: raw) else {
            throw HTTPError(.badRequest, message: "day must be a date YYYY-MM-DD, got '\(raw.prefix(40))'")
        }
        return day
    }

    private func queryDay(_ request: Request, _ name: String) throws -> ArchiveDay? {
        guard let raw = request.query(name) else { return nil }
        guard let day = ArchiveDay(iso: raw) else {
            throw HTTPError(.badRequest, message: "'\(name)' must be a date YYYY-MM-DD")
        }
        return day
    }

    private func requireArchiver() throws -> TelemetryArchiver<Repository> {
        guard let archiver else {
            throw HTTPError(.serviceUnavailable, message: "no archive is configured (FLEET_ARCHIVE_S3_ENDPOINT)")
        }
        return archiver
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> DayList {
        _ = try context.require(.fleetRead)
        let from = try queryDay(request, "from")
        let to = try queryDay(request, "to")
        if let from, let to, from > to { throw HTTPError(.badRequest, message: "'from' must not be after 'to'") }
        return DayList(enabled: archiver != nil, days: try await repository.archiveDays(from: from, to: to))
    }

    /// Archives the day now; `?drop=true` also drops its partition, which only an expired day may be (a partition within
    /// the retention still receives telemetry).
    @Sendable func archive(_ request: Request, context: Context) async throws -> TelemetryArchiver<Repository>.Outcome {
        _ = try context.require(.admin)
        let archiver = try requireArchiver()
        let day = try day(context)
        let drop = try request.boolean("drop") ?? false
        let cutoff = TimestampPolicy.millis(from: .now) - Int64(retentionDays) * ArchiveDay.millisPerDay
        if drop && day.endMillis > cutoff {
            throw HTTPError(
                .conflict, message: "\(day) is within the retention of \(retentionDays) days: it can be archived, not dropped")
        }
        guard try await repository.partitionExists(day) else {
            throw HTTPError(.notFound, message: "no telemetry partition for \(day)")
        }
        let outcome: TelemetryArchiver<Repository>.Outcome
        do {
            outcome = try await archiver.archive(day, drop: drop)
        } catch let error where Self.isStorageFailure(error) {
            throw HTTPError(.badGateway, message: "archiving \(day) failed, its partition is kept: \(error)")
        }
        if outcome.result == "busy" { throw HTTPError(.conflict, message: "another replica is working on \(day)") }
        return outcome
    }

    @Sendable func restore(_ request: Request, context: Context) async throws -> Restored {
        _ = try context.require(.admin)
        let archiver = try requireArchiver()
        let day = try day(context)
        do {
            let (rows, inserted) = try await archiver.restore(day)
            let record = try await repository.archiveDays(from: day, to: day).first
            return Restored(day: day.iso, rows: rows, inserted: inserted, restoredUntil: record?.restoredUntil)
        } catch ArchiveError.notArchived {
            throw HTTPError(.notFound, message: "\(day) has no archive")
        } catch ArchiveError.busy {
            throw HTTPError(.conflict, message: "another replica is working on \(day)")
        } catch let error where Self.isStorageFailure(error) {
            throw HTTPError(.badGateway, message: "restoring \(day) failed: \(error)")
        }
    }

    /// Failures of the object store or of the archive's contents (reported as 502), as opposed to the database's.
    static func isStorageFailure(_ error: any Error) -> Bool {
        error is ObjectStoreError || error is GzipError || error is DecodingError
            || { if case ArchiveError.verification = error { true } else { false } }()
    }
}

extension TelemetryArchiver.Outcome: ResponseEncodable {}
extension ArchiveDayRecord: ResponseEncodable {}
