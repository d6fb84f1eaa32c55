import Crypto
import FleetCore
import FleetService
import Foundation
import HTTPTypes
import Hummingbird

/// Commands: to one vehicle, to a selection of the fleet, and their lifecycle.
///
/// - `POST /v1/vehicles/{id}/commands` (commands:write, `Idempotency-Key` honoured) → 202 with the command
/// - `POST /v1/fleet/commands` (commands:write) → 202 with one command per vehicle and a summary
/// - `GET /v1/commands/{id}?wait=5s` (fleet:read), long-polls while the command is `pending`/`sent`
/// - `GET /v1/vehicles/{id}/commands` (fleet:read), newest first
struct CommandController<Commands: CommandRepository, Vehicles: VehicleRepository> {
    typealias Context = AppRequestContext

    let commands: Commands
    let vehicles: Vehicles
    let positions: PositionCache
    let notifier: CommandNotifier
    let configuration: ControlConfiguration
    /// Hands stored commands to delivery (``CommandDelivery/deliver(_:)``).
    let deliver: @Sendable (NewCommands) -> Void
    let metrics: ControlMetrics

    /// Routes relative to `/v1`.
    func addRoutes(to group: RouterGroup<Context>) {
        group.post("vehicles/{id}/commands", use: createForVehicle)
        group.get("vehicles/{id}/commands", use: history)
        group.post("fleet/commands", use: createForFleet)
        group.get("commands/{id}", use: get)
    }

    // MARK: Create

    struct FleetResponse: Encodable {
        struct Summary: Encodable {
            var selected: Int
            var created: Int
            var skipped: Int
        }

        struct Skipped: Encodable {
            var vehicleID: String
            var reason: String
            enum CodingKeys: String, CodingKey {
                case vehicleID = "vehicle_id"
                case reason
            }
        }

        var batchID: String
        var summary: Summary
        var commands: [CommandRecord]
        var skipped: [Skipped]

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id"
            case summary, commands, skipped
        }
    }

    @Sendable func createForVehicle(_ request: Request, context: Context) async throws -> Response {
        let identity = try context.require(.commandsWrite)
        let vehicle = try context.parameters.require("id")
        guard VehicleID.isValid(vehicle) else { throw invalid("Invalid vehicle id \"\(vehicle)\": expected 1-64 characters from [A-Za-z0-9._-]") }
        let body = try await JSONBody.bytes(of: request, context: context)
        let command = try counted { try JSONBody.decode(CommandRequest.self, from: body) }
        if command.vehicleIDs != nil || command.tag != nil || command.bbox != nil || command.geofence != nil || command.all != nil {
            throw invalid("Selection fields (vehicle_ids, tag, bbox, geofence, all) belong to POST /v1/fleet/commands")
        }
        let action = try counted { try command.validatedAction() }
        let ttl = try counted { try command.validatedTTL(default: configuration.defaultTTLSeconds, max: configuration.maxTTLSeconds) }
        guard let connectivity = try await vehicles.connectivity(of: [vehicle])[vehicle] else {
            metrics.rejectedRequest(reason: "unknown_vehicle")
            throw HTTPError(.notFound, message: "Unknown vehicle \(vehicle): no state was ever received on fleet/v1/vehicles/\(vehicle)/state")
        }
        if connectivity == .offline, configuration.offlinePolicy == .refuse {
            metrics.rejectedRequest(reason: "offline_vehicle")
            throw HTTPError(.conflict, message: "Vehicle \(vehicle) is offline and FLEET_CONTROL_OFFLINE_POLICY is refuse; retry when it is online")
        }
        let now = Date()
        let new = NewCommands(
            ids: [MessageID.random().rawValue], vehicleIDs: [vehicle], action: action, reason: command.reason, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(ttl)), batchID: nil, createdBy: identity.tokenID,
            firstResendAt: now.addingTimeInterval(configuration.resendInitialDelay)
        )
        let audit = context.audit(
            "command.create", target: "vehicle:\(vehicle)",
            details: "\(action.kind.rawValue) command \(new.ids[0]) ttl \(ttl)s" + (action.route.map { " route \($0.routeID) (\($0.stops.count) stops)" } ?? "")
                + (command.reason.map { ": \($0)" } ?? "")
        )
        return try await create(new, audit: audit, request: request, body: body, context: context) { records in
            (202, try JSONResponse.string(records[0]))
        }
    }

    @Sendable func createForFleet(_ request: Request, context: Context) async throws -> Response {
        let identity = try context.require(.commandsWrite)
        let body = try await JSONBody.bytes(of: request, context: context)
        let command = try counted { try JSONBody.decode(CommandRequest.self, from: body) }
        let action = try counted { try command.validatedAction() }
        if action.kind == .followRoute {
            throw invalid("follow_route carries one vehicle's stops: send it with POST /v1/vehicles/{id}/commands")
        }
        let ttl = try counted { try command.validatedTTL(default: configuration.defaultTTLSeconds, max: configuration.maxTTLSeconds) }
        let (selection, description) = try await select(command)
        var skipped: [FleetResponse.Skipped] = []
        var targets: [String] = []
        for (vehicle, connectivity) in selection.sorted(by: { $0.key < $1.key }) {
            switch connectivity {
            case nil: skipped.append(.init(vehicleID: vehicle, reason: "unknown vehicle"))
            case .offline? where configuration.offlinePolicy == .refuse: skipped.append(.init(vehicleID: vehicle, reason: "offline"))
            default: targets.append(vehicle)
            }
        }
        guard !targets.isEmpty else {
            metrics.rejectedRequest(reason: "empty_selection")
            throw HTTPError(.notFound, message: "Selection \(description) matched no vehicle that can be commanded (\(skipped.count) skipped)")
        }
        let now = Date()
        let batchID = MessageID.random().rawValue
        let new = NewCommands(
            ids: targets.map { _ in MessageID.random().rawValue }, vehicleIDs: targets, action: action, reason: command.reason,
            createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(ttl)), batchID: batchID, createdBy: identity.tokenID,
            firstResendAt: now.addingTimeInterval(configuration.resendInitialDelay)
        )
        let audit = context.audit(
            "fleet_command.create", target: description,
            details: "\(action.kind.rawValue) batch \(batchID): \(targets.count) commands, \(skipped.count) skipped, ttl \(ttl)s"
                + (command.reason.map { ": \($0)" } ?? "")
        )
        let skippedList = skipped
        return try await create(new, audit: audit, request: request, body: body, context: context) { records in
            let response = FleetResponse(
                batchID: batchID, summary: .init(selected: selection.count, created: records.count, skipped: skippedList.count),
                commands: records, skipped: skippedList
            )
            return (202, try JSONResponse.string(response))
        }
    }

    /// The vehicles a fleet command addresses (`nil` connectivity: unknown) and a description for the audit log.
    private func select(_ command: CommandRequest) async throws -> ([String: Connectivity?], String) {
        let selectors = [command.vehicleIDs != nil, command.tag != nil, command.bbox != nil, command.geofence != nil, command.all == true]
            .filter { $0 }.count
        guard selectors == 1 else {
            throw invalid("Give exactly one selection: vehicle_ids, tag, bbox, geofence or \"all\": true")
        }
        let limit = configuration.maxSelection
        var result: [String: Connectivity?] = [:]
        let description: String
        if let ids = command.vehicleIDs {
            guard !ids.isEmpty else { throw invalid("vehicle_ids must not be empty") }
            if let bad = ids.first(where: { !VehicleID.isValid($0) }) { throw invalid("Invalid vehicle id \"\(bad)\" in vehicle_ids") }
            let unique = Array(Set(ids))
            guard unique.count <= limit else { throw tooMany(unique.count) }
            let known = try await vehicles.connectivity(of: unique)
            for id in unique { result[id] = known[id] }
            description = "vehicles:\(unique.count)"
        } else if let tag = command.tag {
            guard Self.isValidTag(tag) else { throw invalid("Invalid tag \"\(tag)\": expected 1-64 characters from [A-Za-z0-9._-]") }
            let selected = try await vehicles.select(tag: tag, limit: limit + 1)
            guard selected.count <= limit else { throw tooMany(selected.count) }
            for (id, connectivity) in selected { result[id] = connectivity }
            description = "tag:\(tag)"
        } else if let box = command.bbox {
            if let problem = box.problem { throw invalid(problem) }
            let inside = positions.vehicles(in: box)
            guard inside.count <= limit else { throw tooMany(inside.count) }
            let known = try await vehicles.connectivity(of: inside)
            for id in inside { result[id] = known[id] }
            description = "bbox:\(box.minLat),\(box.minLon),\(box.maxLat),\(box.maxLon)"
        } else if let geofence = command.geofence {
            if let problem = geofence.problem { throw invalid(problem) }
            let inside = positions.vehicles(in: geofence.polygon)
            guard inside.count <= limit else { throw tooMany(inside.count) }
            let known = try await vehicles.connectivity(of: inside)
            for id in inside { result[id] = known[id] }
            description = "geofence:\(geofence.polygon.ring.count) positions"
        } else {
            let selected = try await vehicles.select(tag: nil, limit: limit + 1)
            guard selected.count <= limit else { throw tooMany(selected.count) }
            for (id, connectivity) in selected { result[id] = connectivity }
            description = "all"
        }
        return (result, description)
    }

    /// Stores the commands (honouring `Idempotency-Key`), wakes delivery and returns the response.
    private func create(
        _ new: NewCommands, audit: AuditEntry, request: Request, body: [UInt8], context: Context,
        render: @escaping @Sendable ([CommandRecord]) throws -> (status: Int, body: String)
    ) async throws -> Response {
        var claim: IdempotencyClaim?
        if let key = request.headers[.idempotencyKey] {
            guard (1...255).contains(key.utf8.count) else { throw invalid("Idempotency-Key must be 1-255 characters") }
            var fingerprint = Array("\(request.method.rawValue) \(request.uri.path)\n".utf8)
            fingerprint += body
            claim = IdempotencyClaim(
                tokenID: context.identity?.tokenID ?? "", key: key, fingerprint: TokenSecret.hex(SHA256.hash(data: fingerprint))
            )
        }
        switch try await commands.create(new, idempotency: claim, audit: audit, render: render) {
        case .created(let records, let status, let body):
            metrics.commandsCreated(action: new.action.kind.rawValue, count: records.count)
            notifier.opened(new.ids)
            deliver(new)
            var headers: HTTPFields = [:]
            if records.count == 1, new.batchID == nil { headers[.location] = "/v1/commands/\(records[0].id)" }
            return JSONResponse.response(HTTPResponse.Status(code: status), body: body, headers: headers)
        case .replayed(let status, let body):
            return JSONResponse.response(HTTPResponse.Status(code: status), body: body, headers: [.idempotentReplayed: "true"])
        case .keyReused:
            metrics.rejectedRequest(reason: "idempotency_key_reused")
            throw HTTPError(.unprocessableContent, message: "Idempotency-Key \"\(claim?.key ?? "")\" was already used for a different request")
        }
    }

    // MARK: Read

    enum WaitOutcome: Sendable {
        case answered(CommandRecord)
        case missing
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let id = try context.parameters.require("id")
        guard MessageID(validating: id) != nil else { throw invalid("Invalid command id \"\(id)\"") }
        let wait = try request.uri.queryParameters.get("wait").map { try Self.parseWait(String($0), max: configuration.maxWaitSeconds) }
        let record: CommandRecord?
        if let wait, wait > .zero {
            // Wait while the command is still waiting for the vehicle; return as soon as it is not, or at the deadline.
            let commands = self.commands
            let outcome = try await notifier.wait(for: id, timeout: wait) { () async throws -> WaitOutcome? in
                guard let found = try await commands.command(id) else { return .missing }
                return found.status.isAwaitingVehicle ? nil : .answered(found)
            }
            switch outcome {
            case .answered(let found)?: record = found
            case .missing?: record = nil
            case nil: record = try await commands.command(id)
            }
        } else {
            record = try await commands.command(id)
        }
        guard let record else { throw HTTPError(.notFound, message: "Unknown command \(id)") }
        return try JSONResponse.response(.ok, record)
    }

    struct History: Encodable {
        var vehicleID: String
        var commands: [CommandRecord]
        enum CodingKeys: String, CodingKey {
            case vehicleID = "vehicle_id"
            case commands
        }
    }

    @Sendable func history(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let vehicle = try context.parameters.require("id")
        guard VehicleID.isValid(vehicle) else { throw invalid("Invalid vehicle id \"\(vehicle)\"") }
        let limit = try request.limit(default: 50, max: 500)
        let records = try await commands.history(vehicle: vehicle, limit: limit)
        if records.isEmpty, try await vehicles.connectivity(of: [vehicle])[vehicle] == nil {
            throw HTTPError(.notFound, message: "Unknown vehicle \(vehicle)")
        }
        return try JSONResponse.response(.ok, History(vehicleID: vehicle, commands: records))
    }

    // MARK: Helpers

    /// `5s`, `500ms`, `2m` or plain seconds, at most `max` seconds.
    static func parseWait(_ text: String, max: Int) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else {
            throw HTTPError(.badRequest, message: "Invalid wait \"\(text)\": expected e.g. 5s, 500ms or 2m")
        }
        let seconds = value * scale
        guard seconds <= Double(max) else { throw HTTPError(.badRequest, message: "wait must be at most \(max)s") }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func isValidTag(_ tag: String) -> Bool { VehicleID.isValid(tag) }

    /// Runs `parse`, counting a 400 it throws as an `invalid` refusal like the controller's own.
    private func counted<T>(_ parse: () throws -> T) throws -> T {
        do {
            return try parse()
        } catch let error as HTTPError where error.status == .badRequest {
            metrics.rejectedRequest(reason: "invalid")
            throw error
        }
    }

    private func invalid(_ message: String) -> HTTPError {
        metrics.rejectedRequest(reason: "invalid")
        return HTTPError(.badRequest, message: message)
    }

    private func tooMany(_ count: Int) -> HTTPError {
        invalid("Selection addresses \(count) vehicles, more than the limit of \(configuration.maxSelection) (FLEET_CONTROL_MAX_SELECTION)")
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` (IETF draft): a retried request with the same key is not executed twice.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// Set on a response replayed for a repeated `Idempotency-Key`.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
