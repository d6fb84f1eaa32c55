import FleetCore
import Foundation

extension Command {
    /// The wire form of a stored command (times to the millisecond, rounded down); `nil` when a stored value is not
    /// valid on the wire.
    static func stored(
        id: String, vehicle: String, action: String, speedLimit: Double?, route: RouteBody?, reason: String?, createdAt: Date,
        expiresAt: Date
    ) -> Command? {
        guard let messageID = MessageID(validating: id), let vehicleID = VehicleID(validating: vehicle),
            let commandAction = CommandAction(kind: action, speedLimit: speedLimit, route: route)
        else { return nil }
        return Command(
            id: messageID, vehicleID: vehicleID, action: commandAction, reason: reason,
            issuedAtMillis: TimestampPolicy.millis(from: createdAt),
            expiresAtMillis: TimestampPolicy.millis(from: expiresAt)
        )
    }
}

extension NewCommands {
    /// The commands as published to the vehicles.
    var wireCommands: [Command] {
        zip(ids, vehicleIDs).compactMap { id, vehicle in
            Command.stored(
                id: id, vehicle: vehicle, action: action.kind.rawValue, speedLimit: speedLimit, route: route, reason: reason,
                createdAt: createdAt, expiresAt: expiresAt
            )
        }
    }
}
