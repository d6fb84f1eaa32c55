/// A capacitated vehicle routing problem with time windows: a square distance and duration matrix over locations,
/// stops to serve and vehicles to serve them with.
///
/// All quantities are integers so that move evaluation is exact (a float objective lets a local search accept fake
/// improvements and cycle). The objective is total distance, plus the prizes of optional stops left out.
public struct VRPProblem: Hashable, Sendable {
    /// "No limit" for times: large enough for any real horizon, small enough that sums of a few never overflow.
    public static let unbounded = 1 << 50

    /// Number of locations (matrix side).
    public let locationCount: Int
    /// Row-major `locationCount × locationCount` travel distances (the objective).
    public let distances: [Int]
    /// Row-major `locationCount × locationCount` travel times.
    public let durations: [Int]
    /// Stops.
    public let clients: [VRPClient]
    /// Vehicles; each may drive at most one route.
    public let vehicles: [VRPVehicle]

    /// Creates a problem after checking that every index is in range and every value possible.
    public init(
        locationCount: Int, distances: [Int], durations: [Int], clients: [VRPClient], vehicles: [VRPVehicle]
    ) throws(VRPProblemError) {
        guard locationCount > 0 else { throw .invalid("there are no locations") }
        guard distances.count == locationCount * locationCount, durations.count == distances.count else {
            throw .invalid("the matrices must hold \(locationCount)×\(locationCount) entries")
        }
        guard let negative = distances.firstIndex(where: { $0 < 0 }) ?? durations.firstIndex(where: { $0 < 0 }) else {
            try Self.check(clients: clients, vehicles: vehicles, locationCount: locationCount)
            self.locationCount = locationCount
            self.distances = distances
            self.durations = durations
            self.clients = clients
            self.vehicles = vehicles
            return
        }
        throw .invalid("matrix entry \(negative / locationCount)→\(negative % locationCount) is negative")
    }

    /// Distance from location `from` to location `to`.
    public func distance(from: Int, to: Int) -> Int { distances[from * locationCount + to] }

    /// Travel time from location `from` to location `to`.
    public func duration(from: Int, to: Int) -> Int { durations[from * locationCount + to] }

    private static func check(clients: [VRPClient], vehicles: [VRPVehicle], locationCount: Int) throws(VRPProblemError) {
        guard !vehicles.isEmpty else { throw .invalid("there are no vehicles") }
        let limit = unbounded
        for (index, client) in clients.enumerated() {
            guard (0..<locationCount).contains(client.location) else {
                throw .invalid("stop \(index): location \(client.location) is not in the matrix")
            }
            guard client.demand >= 0, client.serviceDuration >= 0, client.prize >= 0 else {
                throw .invalid("stop \(index): demand, service duration and prize must not be negative")
            }
            guard client.earliest >= 0, client.earliest <= client.latest, client.latest <= limit,
                client.serviceDuration <= limit
            else { throw .invalid("stop \(index): the time window is empty or out of range") }
        }
        for (index, vehicle) in vehicles.enumerated() {
            guard (0..<locationCount).contains(vehicle.startLocation),
                vehicle.endLocation.map({ (0..<locationCount).contains($0) }) ?? true
            else { throw .invalid("vehicle \(index): start or end location is not in the matrix") }
            guard vehicle.capacity >= 0 else { throw .invalid("vehicle \(index): capacity must not be negative") }
            guard vehicle.shiftStart >= 0, vehicle.shiftStart <= vehicle.shiftEnd, vehicle.shiftEnd <= limit else {
                throw .invalid("vehicle \(index): the shift is empty or out of range")
            }
            if let maximum = vehicle.maximumDuration, maximum < 0 {
                throw .invalid("vehicle \(index): maximum duration must not be negative")
            }
        }
    }
}
