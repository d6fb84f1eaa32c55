import FleetCore
import FleetGeo
import Foundation

extension RoadVehicle {
    /// Moves the vehicle `seconds` along its route with acceleration, braking towards the destination, energy use
    /// and temperature. Returns whether it arrived at the end of its route in this step.
    mutating func drive(seconds dt: Double, graph: RoadGraph) -> Bool {
        var distance = 0.0
        var arrived = false
        let canMove = !paused && !isBrokenDown && !charging && energy > 0 && routeIndex < route.count
        if canMove {
            let target = targetSpeed(graph: graph)
            let remaining = remainingRouteLength(graph: graph)
            // Brake so as to stop at the destination; creep the last metres.
            let wanted = max(min(target, (2 * kind.deceleration * remaining).squareRoot()), min(target, 1.0))
            if speed < wanted {
                speed = min(wanted, speed + kind.acceleration * dt)
            } else {
                speed = max(wanted, speed - 2 * kind.deceleration * dt)
            }
            distance = speed * dt
            offset += distance
            while routeIndex < route.count, offset >= graph.length(of: route[routeIndex]) {
                offset -= graph.length(of: route[routeIndex])
                routeIndex += 1
            }
            let previous = position
            if routeIndex >= route.count {
                distance -= offset  // did not drive past the end
                node = graph.target(of: route[route.count - 1])
                position = graph.coordinate(of: node)
                route = []
                routeIndex = 0
                offset = 0
                speed = 0
                arrived = true
            } else {
                position = graph.position(onEdge: route[routeIndex], atOffset: offset)
            }
            if previous.distance(to: position) > 0.3 { heading = previous.bearing(to: position) }
            odometer += max(0, distance)
        } else {
            speed = 0
        }
        useEnergy(meters: max(0, distance), seconds: dt)
        updateTemperature(seconds: dt)
        updateHost()
        return arrived
    }

    mutating func useEnergy(meters: Double, seconds dt: Double) {
        if charging {
            energy = min(100, energy + kind.chargePercentPerSecond * dt)
            return
        }
        let used = (meters * kind.percentPerMeter + dt * kind.percentPerIdleSecond) / capacityFactor
        energy = max(0, energy - used)
        // Empty on the road: roadside charging / fuel delivery where it stands.
        if energy == 0 { charging = true }
    }

    mutating func updateTemperature(seconds dt: Double) {
        let range = kind.temperatureRange
        let load = min(1, speed / kind.maximumSpeed)
        let target = isOverheating ? 118 : range.lowerBound + (range.upperBound - range.lowerBound) * load
        temperature += (target - temperature) * min(1, dt / 30)
    }

    mutating func updateHost() {
        guard kind.hasOnboardComputer else { return }
        cpuPercent = min(95, max(5, cpuPercent + (random.unit() - 0.5) * 6 + (speed > 0 ? 0.3 : -0.3)))
        memoryPercent = min(90, max(20, memoryPercent + (random.unit() - 0.5) * 2))
        diskPercent = min(99, diskPercent + 0.000_05)
    }

    /// The telemetry sample for `nowMillis`, with GPS and clock faults applied (sequence 0: numbered by the gateway).
    mutating func sample(nowMillis: Int64) -> Telemetry {
        var reported = position
        var accuracy = kind == .robot ? 2.0 : 4.0
        if gpsNoiseRemaining > 0 {
            reported = reported.moved(meters: random.uniform(5...30), bearing: random.uniform(0...359.9))
            accuracy = FaultEffects.noisyAccuracyMeters
        }
        if gpsJumpPending {
            reported = reported.moved(meters: random.uniform(FaultEffects.gpsJumpMeters), bearing: random.uniform(0...359.9))
            gpsJumpPending = false
        }
        let skew = clockSkewRemaining > 0 ? clockSkewMillis : 0
        let roundedHeading = (heading * 10).rounded() / 10
        return Telemetry(
            vehicleID: id,
            sequence: 0,
            deviceTimeMillis: max(0, nowMillis + skew),
            position: Position(
                latitude: (reported.latitude * 1e7).rounded() / 1e7,
                longitude: (reported.longitude * 1e7).rounded() / 1e7,
                accuracyMeters: accuracy
            ),
            speedMetersPerSecond: (speed * 100).rounded() / 100,
            headingDegrees: roundedHeading >= 360 ? 0 : roundedHeading,
            odometerMeters: (odometer * 10).rounded() / 10,
            batteryPercent: kind.isElectric ? (energy * 100).rounded() / 100 : nil,
            fuelPercent: kind.isElectric ? nil : (energy * 100).rounded() / 100,
            engineTemperatureCelsius: (temperature * 10).rounded() / 10,
            rpm: kind == .bus ? (speed > 0 ? 800 + speed * 90 : 700).rounded() : nil,
            status: status,
            faultCodes: faultCodes,
            host: kind.hasOnboardComputer
                ? HostMetrics(
                    cpuPercent: (cpuPercent * 10).rounded() / 10,
                    memoryPercent: (memoryPercent * 10).rounded() / 10,
                    diskPercent: (diskPercent * 10).rounded() / 10,
                    networkRxBytesPerSecond: 200 + random.next() % 800,
                    networkTxBytesPerSecond: 600 + random.next() % 1_200
                ) : nil
        )
    }
}

/// Observable signatures of injected faults (what tests and dashboards can recognise).
public enum FaultEffects {
    /// Reported position accuracy while GPS noise is active, in metres.
    public static let noisyAccuracyMeters = 25.0
    /// How far a GPS jump moves the reported position, in metres.
    public static let gpsJumpMeters: ClosedRange<Double> = 200...2_000
    /// Magnitude of an injected clock skew, in milliseconds (either sign).
    public static let clockSkewMillis: ClosedRange<Double> = 5_000...600_000
    /// Engine temperature reached while overheating, in °C.
    public static let overheatingCelsius = 112.0
}
