import FleetCore
import FleetService
import Foundation
import Hummingbird

/// `POST /v1/routes/optimize`: the vehicles, the stops and how to solve. Times are milliseconds since the Unix epoch.
///
/// A vehicle without `start` starts where it was last seen (its live position); it then ends at its last stop unless
/// `end` is given. A vehicle with `start` returns there unless `end` is given or `return_to_start` is false.
struct PlanRequest: Codable, Sendable, Hashable {
    struct Point: Codable, Sendable, Hashable {
        var lat: Double
        var lon: Double
    }

    struct Window: Codable, Sendable, Hashable {
        var startMillis: Int64?
        var endMillis: Int64?

        enum CodingKeys: String, CodingKey {
            case startMillis = "start_ms"
            case endMillis = "end_ms"
        }
    }

    struct Vehicle: Codable, Sendable, Hashable {
        var id: String
        var capacity: Int?
        var start: Point?
        var end: Point?
        var returnToStart: Bool?
        var shift: Window?
        var maxDurationSeconds: Int?
        var skills: [String]?

        enum CodingKeys: String, CodingKey {
            case id, capacity, start, end, shift, skills
            case returnToStart = "return_to_start"
            case maxDurationSeconds = "max_duration_s"
        }
    }

    struct Stop: Codable, Sendable, Hashable {
        var id: String
        var location: Point
        var demand: Int?
        var serviceSeconds: Int?
        var timeWindow: Window?
        var priority: Int?
        var skills: [String]?

        enum CodingKeys: String, CodingKey {
            case id, location, demand, priority, skills
            case serviceSeconds = "service_s"
            case timeWindow = "time_window"
        }
    }

    struct Options: Codable, Sendable, Hashable {
        var timeLimitMillis: Int?
        var seed: UInt64?
        var async: Bool?
        var useTraffic: Bool?
        var respectHealth: Bool?

        enum CodingKeys: String, CodingKey {
            case seed, async
            case timeLimitMillis = "time_limit_ms"
            case useTraffic = "use_traffic"
            case respectHealth = "respect_health"
        }
    }

    var vehicles: [Vehicle]
    var stops: [Stop]
    var options: Options?

    /// Checks every value; a 400 names the first offending field.
    func validate(limits: PlanningLimits) throws {
        func fail(_ field: String, _ reason: String) -> HTTPError { HTTPError(.badRequest, message: "\(field): \(reason)") }
        guard !vehicles.isEmpty, vehicles.count <= limits.maxVehicles else {
            throw fail("vehicles", "give 1 to \(limits.maxVehicles) vehicles")
        }
        guard !stops.isEmpty, stops.count <= limits.maxStops else { throw fail("stops", "give 1 to \(limits.maxStops) stops") }
        var seenVehicles = Set<String>()
        for (index, vehicle) in vehicles.enumerated() {
            let field = "vehicles[\(index)]"
            guard VehicleID.isValid(vehicle.id) else { throw fail("\(field).id", "must be a vehicle id: 1-64 characters of A-Z a-z 0-9 . _ -") }
            guard seenVehicles.insert(vehicle.id).inserted else { throw fail("\(field).id", "\(vehicle.id) appears twice") }
            if let capacity = vehicle.capacity, capacity < 0 || capacity > 1_000_000_000 {
                throw fail("\(field).capacity", "must be 0 to 1000000000")
            }
            for (name, point) in [("start", vehicle.start), ("end", vehicle.end)] {
                if let point, !Self.isValid(point) { throw fail("\(field).\(name)", "lat must be in [-90, 90] and lon in [-180, 180]") }
            }
            if let shift = vehicle.shift { try Self.check(shift, field: "\(field).shift") }
            if let maximum = vehicle.maxDurationSeconds, maximum < 0 || maximum > 7 * 86_400 {
                throw fail("\(field).max_duration_s", "must be 0 to 604800")
            }
            try Self.check(skills: vehicle.skills, field: "\(field).skills")
        }
        var seenStops = Set<String>()
        for (index, stop) in stops.enumerated() {
            let field = "stops[\(index)]"
            guard Self.isValidStopID(stop.id) else { throw fail("\(field).id", "1-64 characters of A-Z a-z 0-9 _ - (as vehicles receive it)") }
            guard seenStops.insert(stop.id).inserted else { throw fail("\(field).id", "\(stop.id) appears twice") }
            guard Self.isValid(stop.location) else { throw fail("\(field).location", "lat must be in [-90, 90] and lon in [-180, 180]") }
            if let demand = stop.demand, demand < 0 || demand > 1_000_000_000 { throw fail("\(field).demand", "must be 0 to 1000000000") }
            if let service = stop.serviceSeconds, service < 0 || service > 86_400 { throw fail("\(field).service_s", "must be 0 to 86400") }
            if let window = stop.timeWindow { try Self.check(window, field: "\(field).time_window") }
            if let priority = stop.priority, !(1...10).contains(priority) { throw fail("\(field).priority", "must be 1 to 10") }
            try Self.check(skills: stop.skills, field: "\(field).skills")
        }
        let skills = Set(vehicles.flatMap { $0.skills ?? [] } + stops.flatMap { $0.skills ?? [] })
        guard skills.count <= 64 else { throw fail("skills", "at most 64 different skills per request") }
        if let limit = options?.timeLimitMillis, limit < 10 || limit > limits.maxTimeLimitMillis {
            throw fail("options.time_limit_ms", "must be 10 to \(limits.maxTimeLimitMillis)")
        }
    }

    /// What a vehicle accepts as a stop id in `follow_route` (FleetLimits.routeIdentifierPattern).
    static func isValidStopID(_ id: String) -> Bool {
        FleetLimits.routeIdentifierLength.contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D
            }
    }

    /// Skill names.
    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x3A
            }
    }

    private static func isValid(_ point: Point) -> Bool {
        point.lat.isFinite && point.lon.isFinite && abs(point.lat) <= 90 && abs(point.lon) <= 180
    }

    private static func check(_ window: Window, field: String) throws {
        let bounds: ClosedRange<Int64> = 0...4_102_444_800_000  // Up to 2100.
        if let start = window.startMillis, !bounds.contains(start) { throw HTTPError(.badRequest, message: "\(field).start_ms: out of range") }
        if let end = window.endMillis, !bounds.contains(end) { throw HTTPError(.badRequest, message: "\(field).end_ms: out of range") }
        if let start = window.startMillis, let end = window.endMillis, end < start {
            throw HTTPError(.badRequest, message: "\(field): end_ms is before start_ms")
        }
    }

    private static func check(skills: [String]?, field: String) throws {
        guard let skills else { return }
        guard skills.count <= 64, skills.allSatisfy(isValidID) else {
            throw HTTPError(.badRequest, message: "\(field): at most 64 skills, each 1-64 characters of A-Z a-z 0-9 _ - . :")
        }
    }
}
