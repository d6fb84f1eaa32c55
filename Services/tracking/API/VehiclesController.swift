import FleetCore
import FleetService
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/vehicles…` and `/v1/fleet/summary`.
struct VehiclesController<Repository: TrackingRepository & ArchiveRepository, Context: AuthenticatedRequestContext>: Sendable {
    let repository: Repository
    /// Reads days whose partitions were dropped after archiving; nil without an archive.
    let archiver: TelemetryArchiver<Repository>?
    /// Largest history window one request may read.
    var maxPositions = 10_000
    /// `GET /v1/fleet/summary`'s cache (`FLEET_TRACKING_SUMMARY_MAX_AGE_MILLIS`).
    var summaries = SummaryCache(maxAgeMillis: 1_000)

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("vehicles", use: list)
        group.post("vehicles", use: register)
        group.get("vehicles/:id", use: get)
        group.get("vehicles/:id/positions", use: positions)
        group.get("vehicles/:id/trips", use: trips)
        group.get("fleet/summary", use: summary)
    }

    private func vehicleID(_ context: Context) throws -> String {
        let raw = try context.parameters.require("id")
        guard VehicleID(validating: raw) != nil else {
            throw HTTPError(.badRequest, message: "vehicle id must match \(FleetLimits.identifierPattern)")
        }
        return raw
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> VehicleList {
        _ = try context.require(.fleetRead)
        var query = VehicleQuery()
        query.limit = try request.integer("limit", default: 100, range: 1...1_000)
        query.after = try request.cursor("after")
        query.tag = request.query("tag")
        query.status = try request.enumeration("status", as: VehicleStatus.self)?.rawValue
        query.online = try request.boolean("online")
        query.boundingBox = try request.boundingBox()
        let vehicles = try await repository.vehicles(query)
        return VehicleList(vehicles: vehicles, nextAfter: vehicles.count == query.limit ? vehicles.last?.id : nil)
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let registration = try await JSONBody.decode(VehicleRegistration.self, from: request, context: context)
        guard VehicleID(validating: registration.id) != nil else {
            throw HTTPError(.badRequest, message: "id must match \(FleetLimits.identifierPattern)")
        }
        for tag in registration.tags ?? [] where VehicleID(validating: tag) == nil {
            throw HTTPError(.badRequest, message: "tag '\(tag)' must match \(FleetLimits.identifierPattern)")
        }
        if let limit = registration.speedLimitKmh, !(1...400).contains(limit) {
            throw HTTPError(.badRequest, message: "speed_limit_kmh must be within 1...400")
        }
        let record = try await repository.registerVehicle(registration)
        return try record.response(from: request, context: context)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> VehicleRecord {
        _ = try context.require(.fleetRead)
        let id = try vehicleID(context)
        guard let record = try await repository.vehicle(id) else {
            throw HTTPError(.notFound, message: "unknown vehicle '\(id)'")
        }
        return record
    }

    /// Where a history answer came from, for the `Fleet-Archive-*` headers.
    struct HistorySource {
        /// Archived days read from object storage.
        var archivedDays: [ArchiveDay] = []
        var archiveMillis: Int64 = 0

        /// `Fleet-Data-Source: hot` or `hot+archive`, and for archive reads the days and time spent (archive reads are
        /// slower: one object-store request per day).
        func apply(to headers: inout HTTPFields) {
            headers[.fleetDataSource] = archivedDays.isEmpty ? "hot" : "hot+archive"
            guard !archivedDays.isEmpty else { return }
            headers[.fleetArchiveDays] = archivedDays.map(\.iso).joined(separator: ",")
            headers[.fleetArchiveReadMillis] = "\(archiveMillis)"
        }
    }

    private func history(_ request: Request, context: Context) async throws -> ([PositionSample], HistorySource) {
        let id = try vehicleID(context)
        let now = TimestampPolicy.millis(from: .now)
        let to = try request.timeMillis("to", default: now)
        let from = try request.timeMillis("from", default: to - 86_400_000)
        guard from <= to else { throw HTTPError(.badRequest, message: "'from' must not be after 'to'") }
        let limit = try request.integer("limit", default: maxPositions, range: 1...maxPositions)
        guard try await repository.vehicle(id) != nil else {
            throw HTTPError(.notFound, message: "unknown vehicle '\(id)'")
        }
        var samples = try await repository.positions(vehicleID: id, fromMillis: from, toMillis: to, limit: limit)
        var source = HistorySource()
        guard let archiver else { return (samples, source) }
        // Days whose partitions are gone: the archive is their only copy.
        let dropped = try await repository.archiveDays(from: ArchiveDay(containing: from), to: ArchiveDay(containing: to))
            .filter { $0.state == .dropped && !$0.hot }.compactMap(\.archiveDay)
        guard !dropped.isEmpty else { return (samples, source) }
        let started = ContinuousClock.now
        let archived: [PositionSample]
        do {
            archived = try await archiver.positions(vehicleID: id, days: dropped, fromMillis: from, toMillis: to)
        } catch {
            throw HTTPError(.badGateway, message: "archived history could not be read: \(error)")
        }
        source.archivedDays = dropped
        source.archiveMillis = Int64((ContinuousClock.now - started).seconds * 1000)
        samples = Array(
            (samples + archived).sorted { ($0.deviceTimeMillis, $0.seq) < ($1.deviceTimeMillis, $1.seq) }.prefix(limit))
        return (samples, source)
    }

    /// GeoJSON FeatureCollection: one LineString of the track, then one Point per sample.
    @Sendable func positions(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let (samples, source) = try await history(request, context: context)
        var features: [[String: Any]] = []
        if samples.count >= 2 {
            features.append([
                "type": "Feature", "properties": ["kind": "track", "points": samples.count],
                "geometry": ["type": "LineString", "coordinates": samples.map { [$0.longitude, $0.latitude] }],
            ])
        }
        for sample in samples {
            features.append([
                "type": "Feature",
                "properties": [
                    "seq": sample.seq, "device_time_ms": sample.deviceTimeMillis, "speed_mps": sample.speedMetersPerSecond,
                    "heading_deg": sample.headingDegrees, "odometer_m": sample.odometerMeters, "status": sample.status,
                ] as [String: Any],
                "geometry": ["type": "Point", "coordinates": [sample.longitude, sample.latitude]],
            ])
        }
        let body = try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features], options: [])
        var headers: HTTPFields = [.contentType: "application/geo+json"]
        source.apply(to: &headers)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    @Sendable func trips(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let (samples, source) = try await history(request, context: context)
        var segmenter = TripSegmenter()
        if let radius = try request.number("stop_radius_m", range: 0...100_000) { segmenter.stopRadiusMeters = radius }
        if let seconds = try request.number("min_stop_s", range: 0...86_400) { segmenter.minStopSeconds = seconds }
        var response = try segmenter.segment(samples).response(from: request, context: context)
        source.apply(to: &response.headers)
        return response
    }

    @Sendable func summary(_ request: Request, context: Context) async throws -> FleetSummary {
        _ = try context.require(.fleetRead)
        let repository = repository
        return try await summaries.summary(nowMillis: TimestampPolicy.millis(from: .now)) { now in
            try await repository.summary(nowMillis: now)
        }
    }
}

extension HTTPField.Name {
    /// `hot` or `hot+archive`: whether a history answer read archived days.
    static let fleetDataSource = HTTPField.Name("Fleet-Data-Source")!
    /// The archived days a history answer read, `YYYY-MM-DD,…`.
    static let fleetArchiveDays = HTTPField.Name("Fleet-Archive-Days")!
    /// Milliseconds spent reading the archive for this answer.
    static let fleetArchiveReadMillis = HTTPField.Name("Fleet-Archive-Read-Ms")!
}
