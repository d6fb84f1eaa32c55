import Foundation

/// A stored plan: what `GET /v1/routes/{id}` answers. Times are milliseconds since the Unix epoch, distances metres,
/// durations seconds.
struct Plan: Codable, Sendable, Hashable {
    enum Status: String, Codable, Sendable {
        case queued, running, done, failed
    }

    struct GeoLineString: Codable, Sendable, Hashable {
        var type = "LineString"
        /// `[lon, lat]` pairs, as GeoJSON has them.
        var coordinates: [[Double]]
    }

    struct PlannedStop: Codable, Sendable, Hashable {
        var id: String
        var lat: Double
        var lon: Double
        var arrivalMillis: Int64
        var serviceStartMillis: Int64
        var departureMillis: Int64
        /// When the stop's time window opens and closes, if it has one.
        var windowStartMillis: Int64?
        var windowEndMillis: Int64?
        /// When the vehicle reported the stop done (from its telemetry), once dispatched.
        var reachedAtMillis: Int64?

        enum CodingKeys: String, CodingKey {
            case id, lat, lon
            case arrivalMillis = "eta_ms"
            case serviceStartMillis = "service_start_ms"
            case departureMillis = "departure_ms"
            case windowStartMillis = "window_start_ms"
            case windowEndMillis = "window_end_ms"
            case reachedAtMillis = "reached_at_ms"
        }
    }

    struct VehicleRoute: Codable, Sendable, Hashable {
        var vehicleID: String
        var stops: [PlannedStop]
        var startMillis: Int64
        var endMillis: Int64
        var distanceMeters: Double
        var durationSeconds: Double
        var load: Int
        var geometry: GeoLineString
        /// Stops the vehicle has reported done.
        var completedStops: Int
        /// The command that carried this route to the vehicle, once dispatched.
        var commandID: String?

        enum CodingKeys: String, CodingKey {
            case stops, load, geometry
            case vehicleID = "vehicle_id"
            case startMillis = "start_ms"
            case endMillis = "end_ms"
            case distanceMeters = "distance_m"
            case durationSeconds = "duration_s"
            case completedStops = "completed_stops"
            case commandID = "command_id"
        }
    }

    /// Why a stop is not in any route.
    struct UnassignedStop: Codable, Sendable, Hashable {
        var id: String
        var reason: String
        var detail: String
    }

    /// Why a vehicle was left out, or limited.
    struct VehicleNote: Codable, Sendable, Hashable {
        var vehicleID: String
        var reason: String
        var detail: String

        enum CodingKeys: String, CodingKey {
            case reason, detail
            case vehicleID = "vehicle_id"
        }
    }

    struct Summary: Codable, Sendable, Hashable {
        var distanceMeters: Double
        var durationSeconds: Double
        var vehiclesUsed: Int
        var stopsAssigned: Int
        var stopsUnassigned: Int

        enum CodingKeys: String, CodingKey {
            case distanceMeters = "distance_m"
            case durationSeconds = "duration_s"
            case vehiclesUsed = "vehicles_used"
            case stopsAssigned = "stops_assigned"
            case stopsUnassigned = "stops_unassigned"
        }
    }

    struct SolverInfo: Codable, Sendable, Hashable {
        var iterations: Int
        var elapsedMillis: Int
        var seed: UInt64
        var timeLimitMillis: Int
        var feasible: Bool
        /// When the travel times used were last refreshed from live traffic (absent: free flow).
        var trafficAtMillis: Int64?

        enum CodingKeys: String, CodingKey {
            case iterations, seed, feasible
            case elapsedMillis = "elapsed_ms"
            case timeLimitMillis = "time_limit_ms"
            case trafficAtMillis = "traffic_at_ms"
        }
    }

    var id: String
    var status: Status
    var createdAtMillis: Int64
    var finishedAtMillis: Int64?
    var error: String?
    var routes: [VehicleRoute] = []
    var unassigned: [UnassignedStop] = []
    var excludedVehicles: [VehicleNote] = []
    var limitedVehicles: [VehicleNote] = []
    var summary: Summary?
    var solver: SolverInfo?
    var dispatchedAtMillis: Int64?
    /// Routes fleet-control did not take when the plan was dispatched.
    var dispatchErrors: [VehicleNote] = []
    /// The plan this one re-optimised what was left of, and the plan that replaced this one.
    var replaces: String?
    var replacedBy: String?

    enum CodingKeys: String, CodingKey {
        case id, status, error, routes, unassigned, summary, solver
        case createdAtMillis = "created_at_ms"
        case finishedAtMillis = "finished_at_ms"
        case excludedVehicles = "excluded_vehicles"
        case limitedVehicles = "limited_vehicles"
        case dispatchedAtMillis = "dispatched_at_ms"
        case dispatchErrors = "dispatch_errors"
        case replaces
        case replacedBy = "replaced_by"
    }
}
