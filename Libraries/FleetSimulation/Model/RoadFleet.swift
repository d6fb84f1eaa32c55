public import FleetCore
public import FleetGeo

/// Vehicles driving shortest paths between random destinations on a real road network.
///
/// Everything is derived from ``FleetSetup/seed``: kinds, depots, destinations, dwell times and the fault schedule.
/// Each vehicle has its own random stream, so a command to one vehicle does not change what the others do.
public struct RoadFleet: FleetModel {
    /// The road network.
    public let graph: RoadGraph
    /// How the fleet was generated.
    public let setup: FleetSetup
    let components: StronglyConnectedComponents
    var planner: RoutePlanner
    var vehicles: [RoadVehicle]
    /// Faults injected so far, by kind.
    public internal(set) var faultCounts: [FaultKind: Int] = [:]
    /// Simulated seconds elapsed.
    public internal(set) var elapsedSeconds = 0.0
    /// Real engine and battery degradation replayed as some vehicles' diagnostics, if configured.
    public var degradation: DegradationReplay?
    /// Finds the road nearest to a route stop; built on the first `follow_route`.
    var stopIndex: EdgeSpatialIndex?

    public let vehicleIDs: [VehicleID]

    /// Generates the fleet: vehicles start at random depots in the graph's largest strongly connected component
    /// (so every destination is reachable).
    /// - Throws: ``SimulationError`` if the graph has no drivable component or the id prefix is invalid.
    public init(graph: RoadGraph, setup: FleetSetup, components: StronglyConnectedComponents? = nil) throws(SimulationError) {
        let components = components ?? StronglyConnectedComponents(graph: graph)
        guard components.largestComponentNodes.count >= 2 else {
            throw SimulationError("the road graph has no strongly connected component with at least two nodes")
        }
        self.graph = graph
        self.setup = setup
        self.components = components
        self.planner = RoutePlanner(graph: graph)
        var seeds = SplitMix64(seed: setup.seed)
        var vehicles: [RoadVehicle] = []
        vehicles.reserveCapacity(setup.vehicleCount)
        for index in 0..<setup.vehicleCount {
            guard let id = VehicleID(validating: setup.idText(index)) else {
                throw SimulationError("vehicle id \"\(setup.idText(index))\" is not valid: the prefix must match [A-Za-z0-9._-]")
            }
            var random = SplitMix64(seed: seeds.next())
            let kind = VehicleKind.pick(random.unit())
            let home = components.largestComponentNodes[Int(random.next() % UInt64(components.largestComponentNodes.count))]
            vehicles.append(RoadVehicle(id: id, kind: kind, home: home, position: graph.coordinate(of: home), random: random))
        }
        self.vehicles = vehicles
        self.vehicleIDs = vehicles.map(\.id)
    }

    // MARK: Inspection

    /// The vehicle's kind.
    public func kind(of vehicle: Int) -> VehicleKind { vehicles[vehicle].kind }
    /// The vehicle's true position (without GPS faults).
    public func position(of vehicle: Int) -> GeoCoordinate { vehicles[vehicle].position }
    /// The vehicle's current speed in m/s.
    public func speed(of vehicle: Int) -> Double { vehicles[vehicle].speed }
    /// The node of the vehicle's depot.
    public func home(of vehicle: Int) -> Int { vehicles[vehicle].home }
    /// The usable share of the vehicle's battery (1 = new; lower after ``FaultKind/batteryDegradation``).
    public func batteryCapacity(of vehicle: Int) -> Double { vehicles[vehicle].capacityFactor }

    public func status(of vehicle: Int) -> VehicleStatus { vehicles[vehicle].status }

    // MARK: Commands

    public mutating func execute(_ command: Command, vehicle index: Int, nowMillis: Int64) -> CommandOutcome {
        switch command.action {
        case .pause:
            vehicles[index].paused = true
            vehicles[index].speed = 0
        case .resume:
            vehicles[index].paused = false
            vehicles[index].holdingAtBase = false
            // Standing after a finished route: back to ordinary trips. A route under way continues.
            if vehicles[index].followed?.isFinished == true { vehicles[index].followed = nil }
        case .setSpeedLimit(let limit):
            vehicles[index].speedLimit = limit
        case .clearSpeedLimit:
            vehicles[index].speedLimit = nil
        case .returnToBase:
            if let previous = vehicles[index].pendingReturnCommand {
                // The newer command supersedes the older one.
                pendingFinished.append(
                    .commandFinished(vehicle: index, commandID: previous, status: .failed, reason: "superseded by a newer return_to_base"))
            }
            vehicles[index].holdingAtBase = false
            vehicles[index].pendingReturnCommand = command.id
            vehicles[index].chargeOnArrival = false
            abandonRoute(index, reason: "superseded by return_to_base")
            headHome(index)
            return .accepted
        case .followRoute(let route):
            return follow(route, commandID: command.id, vehicle: index)
        }
        refreshStatus(index)
        return .completed
    }

    public mutating func apply(_ desired: DesiredState, vehicle index: Int) {
        if let current = vehicles[index].desiredRevision, desired.revision < current { return }
        vehicles[index].desiredRevision = desired.revision
        vehicles[index].paused = desired.paused
        if desired.paused { vehicles[index].speed = 0 }
        vehicles[index].speedLimit = desired.speedLimitMetersPerSecond
        refreshStatus(index)
    }

    /// Outputs produced between steps (by commands), emitted with the next step.
    var pendingFinished: [FleetOutput] = []

    mutating func refreshStatus(_ index: Int) {
        let status = vehicles[index].derivedStatus()
        if status != vehicles[index].status {
            vehicles[index].status = status
            pendingFinished.append(.statusChanged(vehicle: index, status))
        }
    }

    /// Routes the vehicle to its depot from wherever it is (continuing along its current edge first).
    mutating func headHome(_ index: Int) {
        vehicles[index].goingHome = true
        vehicles[index].dwellRemaining = 0
        replan(index, to: vehicles[index].home)
    }

    /// Plans a route from the vehicle's position to `destination`; keeps the current edge if it is on one.
    mutating func replan(_ index: Int, to destination: Int) {
        let vehicle = vehicles[index]
        if vehicle.routeIndex < vehicle.route.count {
            let edge = vehicle.route[vehicle.routeIndex]
            let rest = planner.route(from: graph.target(of: edge), to: destination, algorithm: .aStar)?.edges ?? []
            vehicles[index].route = [edge] + rest
            vehicles[index].routeIndex = 0
        } else {
            vehicles[index].route = planner.route(from: vehicle.node, to: destination, algorithm: .aStar)?.edges ?? []
            vehicles[index].routeIndex = 0
            vehicles[index].offset = 0
        }
    }
}

extension RoadFleet {
    /// Whether vehicle `index` is electric (has a traction battery).
    public func isElectric(_ index: Int) -> Bool { vehicles.indices.contains(index) && vehicles[index].kind.isElectric }
}
