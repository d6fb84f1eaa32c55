import FleetCore
import FleetGeo

extension RoadFleet {
    /// Stops farther than this from every road of the map are refused (the plan is for another area).
    static let maximumStopDistanceMeters = 5_000.0

    /// Starts `route` for vehicle `index`, replacing any route or return under way: its stops are snapped to the nearest
    /// nodes of the largest strongly connected component and driven in order from wherever the vehicle is.
    mutating func follow(_ route: RouteInstruction, commandID: MessageID, vehicle index: Int) -> CommandOutcome {
        var nodes: [Int] = []
        nodes.reserveCapacity(route.stops.count)
        for stop in route.stops {
            let coordinate = GeoCoordinate(latitude: stop.latitude, longitude: stop.longitude)
            guard let snapped = nearestReachableNode(to: coordinate) else {
                return .rejected("stop \(stop.id) is not near any road of the simulated map")
            }
            guard snapped.distance <= Self.maximumStopDistanceMeters else {
                return .rejected(
                    "stop \(stop.id) is \(Int(snapped.distance)) m from the nearest road of the simulated map (at most \(Int(Self.maximumStopDistanceMeters)) m)")
            }
            nodes.append(snapped.node)
        }
        abandonRoute(index, reason: "superseded by a newer follow_route")
        if let previous = vehicles[index].pendingReturnCommand {
            pendingFinished.append(
                .commandFinished(vehicle: index, commandID: previous, status: .failed, reason: "superseded by follow_route"))
            vehicles[index].pendingReturnCommand = nil
        }
        vehicles[index].goingHome = false
        vehicles[index].chargeOnArrival = false
        vehicles[index].holdingAtBase = false
        vehicles[index].dwellRemaining = 0
        vehicles[index].followed = FollowedRoute(commandID: commandID, route: route, nodes: nodes)
        replan(index, to: nodes[0])
        refreshStatus(index)
        return .accepted
    }

    /// Drops the vehicle's route; one still under way is acknowledged `failed` with `reason`.
    mutating func abandonRoute(_ index: Int, reason: String) {
        guard let followed = vehicles[index].followed else { return }
        if !followed.isFinished {
            pendingFinished.append(.commandFinished(vehicle: index, commandID: followed.commandID, status: .failed, reason: reason))
        }
        vehicles[index].followed = nil
    }

    /// One step of a followed route for a vehicle that is not driving: replan to the current stop, serve it once there,
    /// and move on to the next stop (or acknowledge `completed` after the last). Paused or broken down, it holds
    /// (service time does not run); after the last stop it stands.
    mutating func advanceRoute(_ index: Int, seconds dt: Double, outputs: inout [FleetOutput]) {
        guard var followed = vehicles[index].followed, let target = followed.targetNode else { return }
        let vehicle = vehicles[index]
        guard !vehicle.paused, !vehicle.isBrokenDown, vehicle.route.isEmpty else { return }
        guard vehicle.node == target else {
            replan(index, to: target)
            if vehicles[index].route.isEmpty {
                let stop = followed.stops[followed.completed].id
                outputs.append(
                    .commandFinished(vehicle: index, commandID: followed.commandID, status: .failed, reason: "stop \(stop) cannot be reached"))
                vehicles[index].followed = nil
            }
            return
        }
        let remaining = followed.serviceRemaining.map { $0 - dt } ?? Double(followed.stops[followed.completed].serviceSeconds)
        guard remaining <= 0 else {
            followed.serviceRemaining = remaining
            vehicles[index].followed = followed
            return
        }
        followed.completed += 1
        followed.serviceRemaining = nil
        vehicles[index].followed = followed
        if followed.isFinished {
            outputs.append(.commandFinished(vehicle: index, commandID: followed.commandID, status: .completed, reason: nil))
        } else if let next = followed.targetNode, next != vehicle.node {
            replan(index, to: next)
        }
    }

    /// The node nearest to `coordinate` among the ends of roads inside the largest strongly connected component (so every
    /// vehicle can reach it and leave it again), with its distance in metres.
    mutating func nearestReachableNode(to coordinate: GeoCoordinate) -> (node: Int, distance: Double)? {
        if stopIndex == nil { stopIndex = EdgeSpatialIndex(graph: graph) }
        guard let index = stopIndex else { return nil }
        let graph = self.graph
        let components = self.components
        let snap = index.nearest(to: coordinate) { edge in
            components.isInLargestComponent(graph.source(of: edge)) && components.isInLargestComponent(graph.target(of: edge))
        }
        guard let snap else { return nil }
        let source = graph.source(of: snap.edge), target = graph.target(of: snap.edge)
        let node = snap.offset <= graph.length(of: snap.edge) / 2 ? source : target
        return (node, coordinate.distance(to: graph.coordinate(of: node)))
    }
}
