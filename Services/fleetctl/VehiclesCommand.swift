import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl vehicles list|get|tag|untag`: vehicles known to fleet-control.
struct VehiclesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vehicles",
        abstract: "List and inspect vehicles known to fleet-control, and manage their tags.",
        subcommands: [List.self, Get.self, Tag.self, Untag.self]
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
}
