import FleetCore
import Foundation

/// Turns latest-state transitions into fleet events: one per transition, never one per message.
enum TransitionEvents {
    static func events(for transition: VehicleTransition) -> [FleetEvent] {
        guard let vehicle = try? VehicleID(transition.vehicleID) else { return [] }
        var events: [FleetEvent] = []
        func event(_ type: FleetEventType, _ severity: Severity, _ extra: [String: String] = [:]) -> FleetEvent {
            FleetEvent(
                id: .random(), type: type, severity: severity, vehicleID: vehicle, timeMillis: transition.deviceTimeMillis,
                attributes: ["lat": String(format: "%.6f", transition.latitude), "lon": String(format: "%.6f", transition.longitude)]
                    .merging(extra) { $1 })
        }
        var speed: String { String(format: "%.1f", transition.speedMetersPerSecond * 3.6) }
        if transition.isMoving != transition.wasMoving || (!transition.hadPrevious && transition.isMoving) {
            events.append(event(transition.isMoving ? .moving : .stopped, .info, ["speed_kmh": speed]))
        }
        if transition.isOverspeed && !transition.wasOverspeed {
            events.append(
                event(.overspeed, .warning, ["speed_kmh": speed, "limit_kmh": String(format: "%.1f", transition.speedLimitMetersPerSecond * 3.6)]))
        }
        let before = Set(transition.previousGeofences)
        let after = Set(transition.geofences)
        for fence in after.subtracting(before).sorted() {
            events.append(event(.geofenceEnter, .info, ["geofence": fence]))
        }
        for fence in before.subtracting(after).sorted() {
            events.append(event(.geofenceExit, .info, ["geofence": fence]))
        }
        return events
    }
}
