import FleetCore
import FleetGeo

extension RoadFleet {
    /// Energy level (%) below which a vehicle heads to its depot to charge or refuel.
    static let lowEnergyPercent = 15.0
    /// Energy level (%) at which charging stops.
    static let chargedPercent = 95.0
    /// Seconds a vehicle stands at a destination before its next trip.
    static let dwellSeconds: ClosedRange<Double> = 10...60

    public mutating func step(seconds dt: Double, nowMillis: Int64) -> [FleetOutput] {
        var outputs = pendingFinished
        pendingFinished = []
        outputs.reserveCapacity(outputs.count + vehicles.count + 8)
        elapsedSeconds += dt
        let probabilities = FaultKind.allCases.map { setup.faults.probability($0, seconds: dt) }
        let faultsEnabled = probabilities.contains { $0 > 0 }
        for index in vehicles.indices {
            let wasOffline = vehicles[index].isOffline
            if faultsEnabled {
                for kind in vehicles[index].drawFaults(probabilities: probabilities, episode: setup.faults.episodeSeconds) {
                    faultCounts[kind, default: 0] += 1
                    switch kind {
                    case .malformedMessage:
                        outputs.append(.rawPayload(vehicle: index, vehicles[index].malformedPayload(), fault: kind))
                    case .oversizedMessage:
                        outputs.append(.rawPayload(vehicle: index, vehicles[index].oversizedPayload(), fault: kind))
                    default:
                        break
                    }
                }
            }
            vehicles[index].tickEpisodes(seconds: dt)
            if wasOffline != vehicles[index].isOffline {
                outputs.append(.connectivityChanged(vehicle: index, online: wasOffline))
            }
            if vehicles[index].drive(seconds: dt, graph: graph) {
                arrive(index, outputs: &outputs)
            }
            plan(index, seconds: dt, outputs: &outputs)
            let status = vehicles[index].derivedStatus()
            if status != vehicles[index].status {
                vehicles[index].status = status
                outputs.append(.statusChanged(vehicle: index, status))
            }
            var sample = vehicles[index].sample(nowMillis: nowMillis)
            sample.diagnostics = degradation?.diagnostics(vehicle: index, elapsedSeconds: elapsedSeconds)
            sample.route = vehicles[index].followed?.progress
            outputs.append(.telemetry(vehicle: index, sample))
        }
        return outputs
    }

    /// What happens at the end of a route (a followed route's stops are handled by ``advanceRoute(_:seconds:outputs:)``).
    mutating func arrive(_ index: Int, outputs: inout [FleetOutput]) {
        if vehicles[index].followed != nil { return }
        if vehicles[index].goingHome {
            vehicles[index].goingHome = false
            if let command = vehicles[index].pendingReturnCommand {
                vehicles[index].pendingReturnCommand = nil
                vehicles[index].holdingAtBase = true
                outputs.append(.commandFinished(vehicle: index, commandID: command, status: .completed, reason: nil))
            }
            if vehicles[index].chargeOnArrival {
                vehicles[index].chargeOnArrival = false
                vehicles[index].charging = true
            }
        } else {
            vehicles[index].dwellRemaining = vehicles[index].random.uniform(Self.dwellSeconds)
        }
    }

    /// Charging, the followed route, low-energy returns and the next trip.
    mutating func plan(_ index: Int, seconds dt: Double, outputs: inout [FleetOutput]) {
        if vehicles[index].charging {
            if vehicles[index].energy >= Self.chargedPercent {
                vehicles[index].charging = false
                vehicles[index].dwellRemaining = 5
            }
            return
        }
        if vehicles[index].followed != nil {
            // No low-energy trips and no random destinations while following (or standing after) a route; a vehicle
            // that runs empty is recharged where it stands.
            advanceRoute(index, seconds: dt, outputs: &outputs)
            return
        }
        if vehicles[index].energy < Self.lowEnergyPercent && !vehicles[index].goingHome {
            if vehicles[index].route.isEmpty && vehicles[index].node == vehicles[index].home {
                vehicles[index].charging = true
            } else {
                vehicles[index].chargeOnArrival = true
                headHome(index)
            }
            return
        }
        guard vehicles[index].route.isEmpty, !vehicles[index].paused, !vehicles[index].isBrokenDown,
            !vehicles[index].holdingAtBase
        else { return }
        vehicles[index].dwellRemaining -= dt
        guard vehicles[index].dwellRemaining <= 0 else { return }
        let nodes = components.largestComponentNodes
        var destination = vehicles[index].node
        while destination == vehicles[index].node {
            destination = nodes[Int(vehicles[index].random.next() % UInt64(nodes.count))]
        }
        replan(index, to: destination)
        if vehicles[index].route.isEmpty {
            // Unreachable from here (a depot outside the largest component): try again later.
            vehicles[index].dwellRemaining = 30
        }
    }
}
