import FleetCore
import FleetObjectStore
import FleetReports
import FleetService
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/reports…`: fleet reports, made on demand or weekly, and their files.
struct ReportController<Repository: TrackingRepository & ArchiveRepository & ReportRepository, Context: AuthenticatedRequestContext>: Sendable {
    let repository: Repository
    /// Nil without an object store (the report endpoints then answer 503).
    let generator: ReportGenerator<Repository>?

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("reports", use: create)
        group.get("reports", use: list)
        group.get("reports/:id", use: get)
        group.get("reports/:id/files/:name", use: file)
    }

    /// `POST /v1/reports` body.
    struct CreateBody: Decodable {
        var from: TimeValue
        var to: TimeValue
        var tag: String?
        var title: String?
        /// `on_demand` (default) or `weekly`: an ISO week (Monday 00:00 UTC to the next Monday), made once per week and
        /// tag.
        var kind: String?
    }

    /// A time in a JSON body: milliseconds since the epoch, or a string of them or of ISO 8601.
    struct TimeValue: Decodable {
        var millis: Int64

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                millis = number
            } else if let text = try? container.decode(String.self), let parsed = Request.parseTimeMillis(text) {
                millis = parsed
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected milliseconds since the epoch or an ISO 8601 time")
            }
        }
    }

    struct ReportList: ResponseEncodable, Decodable {
        var reports: [ReportResource]
    }

    private func requireGenerator() throws -> ReportGenerator<Repository> {
        guard let generator else {
            throw HTTPError(.serviceUnavailable, message: "reports need an object store (FLEET_ARCHIVE_S3_ENDPOINT)")
        }
        return generator
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let generator = try requireGenerator()
        let body = try await JSONBody.decode(CreateBody.self, from: request, context: context)
        let from = body.from.millis, to = body.to.millis
        guard from < to else { throw HTTPError(.badRequest, message: "'from' must be before 'to'") }
        // The same bounds as every service's `GET /v1/report-data`, which the report asks for the same period.
        guard from >= 0, to <= ReportDataWindow.latestMillis else {
            throw HTTPError(.badRequest, message: "times must be within years 1970-9999")
        }
        guard to - from <= ReportDataWindow.maxSpanMillis else { throw HTTPError(.badRequest, message: "a report covers at most 93 days") }
        if let tag = body.tag, VehicleID(validating: tag) == nil {
            throw HTTPError(.badRequest, message: "tag must match \(FleetLimits.identifierPattern)")
        }
        if let title = body.title, title.isEmpty || title.count > 200 {
            throw HTTPError(.badRequest, message: "title must be 1-200 characters")
        }
        let kind = body.kind ?? "on_demand"
        guard ["on_demand", "weekly"].contains(kind) else { throw HTTPError(.badRequest, message: "kind must be on_demand or weekly") }
        let period = ReportPeriod(fromMillis: from, toMillis: to)
        if kind == "weekly" && ReportSchedule.lastCompleteWeek(before: to) != period {
            throw HTTPError(.badRequest, message: "a weekly report covers one ISO week: Monday 00:00 UTC to the next Monday")
        }
        let made: ReportResource?
        do {
            made = try await generator.generate(.init(period: period, tag: body.tag, title: body.title, kind: kind))
        } catch let error where ArchiveController<Repository, Context>.isStorageFailure(error) {
            throw HTTPError(.badGateway, message: "the report could not be written or read: \(error)")
        }
        guard let made else {
            // The weekly report of that week exists: the same answer again (the weekly job may run twice), unless it is
            // still being made.
            guard let existing = try await repository.weeklyReport(fromMillis: from, tag: body.tag), existing.status == "ready" else {
                throw HTTPError(.conflict, message: "the weekly report of that week is being made; ask again shortly")
            }
            return try existing.response(from: request, context: context)
        }
        var response = try made.response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/v1/reports/\(made.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> ReportList {
        _ = try context.require(.fleetRead)
        let limit = try request.integer("limit", default: 50, range: 1...500)
        return ReportList(reports: try await repository.reports(limit: limit))
    }

    private func resource(_ context: Context) async throws -> ReportResource {
        let id = try context.parameters.require("id")
        guard id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
            let resource = try await repository.report(id: id), resource.status == "ready"
        else {
            throw HTTPError(.notFound, message: "unknown report '\(id.prefix(64))'")
        }
        return resource
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> ReportResource {
        _ = try context.require(.fleetRead)
        return try await resource(context)
    }

    /// One of the report's files, read from object storage. Only names the report lists are served.
    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let generator = try requireGenerator()
        let resource = try await resource(context)
        let name = try context.parameters.require("name")
        guard let file = resource.files.first(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "report \(resource.id) has no file '\(name.prefix(64))'")
        }
        let bytes: [UInt8]
        do {
            bytes = try await generator.store.get("\(generator.prefix(of: resource.id))/\(file.name)")
        } catch {
            throw HTTPError(.badGateway, message: "the file could not be read from object storage: \(error)")
        }
        var headers: HTTPFields = [.contentType: file.contentType]
        // A download keeps its name; the HTML page may be shown in the browser, with nothing loaded from elsewhere.
        if file.name.hasSuffix(".csv") {
            headers[.contentDisposition] = "attachment; filename=\"\(resource.id)-\(file.name)\""
        } else if file.name.hasSuffix(".html") {
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension ReportResource: ResponseEncodable {}
