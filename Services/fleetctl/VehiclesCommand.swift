import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl vehicles list|get|tag|untag|provision|rotate|revoke`: vehicles known to fleet-control, and their credentials.
struct VehiclesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vehicles",
        abstract: "List and inspect vehicles known to fleet-control, manage their tags and their credentials.",
        subcommands: [List.self, Get.self, Tag.self, Untag.self, Provision.self, Rotate.self, Revoke.self]
    )

    static let headers = ["VEHICLE", "CONNECTIVITY", "STATUS", "LAST SEEN", "PAUSED", "TAGS"]

    static func row(_ vehicle: [String: Any]) -> [String] {
        let desired = vehicle["desired"] as? [String: Any]
        return [
            TableOutput.cell(vehicle["id"]), TableOutput.cell(vehicle["connectivity"]), TableOutput.cell(vehicle["status"]),
            TableOutput.cell(vehicle["last_seen"]), desired.map { TableOutput.cell($0["paused"]) } ?? "-", TableOutput.cell(vehicle["tags"]),
        ]
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List vehicles (all pages).")
        @OptionGroup var control: ControlOptions
        @Option(help: "Only vehicles with this tag.") var tag: String?
        @Option(help: "Only online or offline vehicles.") var connectivity: String?
        @Option(help: "Stop after this many vehicles.") var limit = 10_000

        func run() async throws {
            try await control.run {
                let client = ControlClient(options: control)
                var vehicles: [[String: Any]] = []
                var after: String?
                repeat {
                    var query = ["limit=\(min(1000, limit - vehicles.count))"]
                    if let tag { query.append("tag=\(tag.urlComponent)") }
                    if let connectivity { query.append("connectivity=\(connectivity.urlComponent)") }
                    if let after { query.append("after=\(after.urlComponent)") }
                    let page = try await client.send(.GET, "/v1/vehicles?" + query.joined(separator: "&")).object
                    vehicles += page["vehicles"] as? [[String: Any]] ?? []
                    after = page["next_after"] as? String
                } while after != nil && vehicles.count < limit
                if control.output == .json {
                    emit(String(decoding: try JSONSerialization.data(withJSONObject: ["vehicles": vehicles], options: [.sortedKeys]), as: UTF8.self))
                } else {
                    TableOutput.print(VehiclesCommand.headers, vehicles.map(VehiclesCommand.row))
                }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one vehicle.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var id: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.GET, "/v1/vehicles/\(id.urlComponent)")
                if control.output == .json { emit(reply.text) } else { TableOutput.print(VehiclesCommand.headers, [VehiclesCommand.row(reply.object)]) }
            }
        }
    }

    struct Tag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tag to a vehicle.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var id: String
        @Argument(help: "Tag ([A-Za-z0-9._-]{1,64}).") var tag: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.PUT, "/v1/vehicles/\(id.urlComponent)/tags/\(tag.urlComponent)")
                emit(control.output == .json ? reply.text : "tagged \(id) with \(tag)")
            }
        }
    }

    struct Untag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a tag from a vehicle.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var id: String
        @Argument(help: "Tag.") var tag: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.DELETE, "/v1/vehicles/\(id.urlComponent)/tags/\(tag.urlComponent)")
                emit(control.output == .json ? reply.text : "removed tag \(tag) from \(id)")
            }
        }
    }

    /// Prints credentials fleet-control issued (they are shown only this once).
    static func printCredentials(_ reply: ControlClient.Reply, output: ControlOptions.Output) {
        if output == .json { emit(reply.text); return }
        let object = reply.object
        let mqtt = object["mqtt"] as? [String: Any] ?? [:]
        emit("vehicle:        \(TableOutput.cell(object["vehicle_id"]))")
        emit("mqtt broker:    \(TableOutput.cell(mqtt["host"])):\(TableOutput.cell(mqtt["port"]))")
        emit("mqtt username:  \(TableOutput.cell(mqtt["username"]))")
        emit("mqtt password:  \(TableOutput.cell(mqtt["password"]))")
        emit("http token:     \(TableOutput.cell(object["token"]))  (\(TableOutput.cell(object["token_id"])), telemetry:write for this vehicle only)")
        emit("")
        emit("These are shown only now; store them on the vehicle. fleetctl vehicles rotate makes new ones.")
    }

    struct Provision: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a vehicle's broker account and HTTP token (admin); prints them once.",
            discussion: "The broker account may publish the vehicle's telemetry, state and acknowledgements and read its commands, desired state and committed telemetry, nothing else.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id ([A-Za-z0-9._-]{1,64}).") var id: String
        @Option(name: .customLong("tag"), help: "A tag for the vehicle; repeat for several.") var tags: [String] = []

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.POST, "/v1/vehicles/\(id.urlComponent)/credentials", json: ["tags": tags])
                VehiclesCommand.printCredentials(reply, output: control.output)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a vehicle's broker password and HTTP token (admin); the old ones stop working at once.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var id: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.POST, "/v1/vehicles/\(id.urlComponent)/credentials/rotate")
                VehiclesCommand.printCredentials(reply, output: control.output)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a vehicle's broker account and revoke its tokens (admin): it is disconnected at once and cannot reconnect.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var id: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.DELETE, "/v1/vehicles/\(id.urlComponent)/credentials")
                emit(control.output == .json ? reply.text : "revoked the credentials of \(id)")
            }
        }
    }
}
