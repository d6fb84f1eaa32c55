import FleetCore

/// A vehicle's broker account in the dynamic-security plugin: client `<id>` with role `vehicle-<id>`, whose rights are
/// exactly those every vehicle had under the old ACL file, on literal topics (the plugin does not substitute `%u`):
/// publish its telemetry, state and command acknowledgements; subscribe to its commands, desired state and committed
/// telemetry.
struct VehicleBrokerAccount: Sendable, Equatable {
    let vehicle: VehicleID

    var username: String { vehicle.rawValue }
    var roleName: String { "vehicle-\(vehicle.rawValue)" }

    /// Channels the vehicle publishes on.
    static let sends: [VehicleChannel] = [.telemetry, .state, .commandAcks]
    /// Channels the vehicle subscribes to.
    static let receives: [VehicleChannel] = [.commands, .desired, .telemetryCommitted]

    /// Does the client exist? (`getClient` answers an error when it does not.)
    var lookup: [[String: any Sendable]] { [["command": "getClient", "username": username]] }

    /// The role, its ACLs and the client with `password`, tagged in the plugin's description.
    func create(password: String, tags: [String]) -> [[String: any Sendable]] {
        var commands: [[String: any Sendable]] = [["command": "createRole", "rolename": roleName, "textname": "Fleet vehicle \(username)"]]
        for channel in Self.sends {
            commands.append(["command": "addRoleACL", "rolename": roleName, "acltype": "publishClientSend", "topic": channel.topic(for: vehicle), "allow": true])
        }
        for channel in Self.receives {
            commands.append(["command": "addRoleACL", "rolename": roleName, "acltype": "subscribeLiteral", "topic": channel.topic(for: vehicle), "allow": true])
        }
        commands.append([
            "command": "createClient", "username": username, "password": password, "textname": "Fleet vehicle \(username)",
            "textdescription": tags.isEmpty ? "provisioned by fleet-control" : "provisioned by fleet-control; tags \(tags.joined(separator: ","))",
            "roles": [["rolename": roleName]],
        ])
        return commands
    }

    /// A new password; the plugin drops an open connection of the client at once (DISCONNECT 0x98), so no session
    /// made with the old password outlives the rotation.
    func rotate(password: String) -> [[String: any Sendable]] {
        [["command": "setClientPassword", "username": username, "password": password]]
    }

    /// Deletes the client (its connection is dropped at once and it cannot connect again) and its role.
    var delete: [[String: any Sendable]] {
        [["command": "deleteClient", "username": username], ["command": "deleteRole", "rolename": roleName]]
    }
}
