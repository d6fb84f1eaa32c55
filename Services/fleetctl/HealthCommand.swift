import ArgumentParser
import Foundation

/// `fleetctl health vehicle|fleet|forecast`: live health from fleet-health (`fleet:read`).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Vehicle and fleet health, downtime figures and the maintenance forecast (fleet-health API).",
        discussion: """
            fleet-health is found with --health, FLEET_HEALTH_URL, the fleetctl login profile (fleetctl login --health URL), or \
            http://127.0.0.1:8084; the token is the one every command uses (--token, FLEET_TOKEN, the profile). Exit status as for \
            every API command: 3 unreachable, 4 unauthorised, 5 unknown vehicle, 6 a parameter the service refused.
            """,
        subcommands: [Vehicle.self, Fleet.self, Forecast.self]
    )

    /// Prints the `next_after` cursor of a page that was not followed, on stderr so the table stays a table.
    static func hintMore(_ nextAfter: String?) {
        guard let nextAfter else { return }
        FileHandle.standardError.write(Data("more: --after \(nextAfter) (or --all)\n".utf8))
    }

    struct Vehicle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One vehicle's score, status, levels, active conditions, open incidents, forecasts and MTBF/MTTR.")
        @OptionGroup var health: HealthAPIOptions
        @Argument(help: "Vehicle id.") var id: String

        func run() async throws {
            try await health.run {
                let reply = try await health.client.get("/v1/vehicles/\(id.urlComponent)/health")
                if health.output == .json { return emit(reply.text) }
                let vehicle = reply.object
                let levels = vehicle["levels"] as? [String: Any] ?? [:]
                HealthFormat.fields(
                    [
                        ("vehicle", TableOutput.cell(vehicle["vehicle_id"])),
                        ("score", TableOutput.cell(vehicle["score"]) + "/100"),
                        ("status", TableOutput.cell(vehicle["status"])),
                        ("first seen", TableOutput.cell(vehicle["first_seen"])),
                        ("last seen", TableOutput.cell(vehicle["last_seen"])),
                        ("battery", HealthFormat.percent(levels["battery_pct"])),
                        ("fuel", HealthFormat.percent(levels["fuel_pct"])),
                        ("engine temp", HealthFormat.celsius(levels["engine_temp_c"])),
                        ("RUL", HealthFormat.forecast(vehicle["remaining_useful_life"])),
                        ("battery health", HealthFormat.battery(vehicle["battery"])),
                    ] + HealthFormat.downtime(vehicle["downtime"]))
                emit("")
                let active = vehicle["active"] as? [[String: Any]] ?? []
                TableOutput.print(
                    ["CONDITION", "KIND", "SEVERITY", "SINCE", "INCIDENT", "TEXT"],
                    active.map { condition in
                        [
                            TableOutput.cell(condition["condition"]), TableOutput.cell(condition["kind"]), TableOutput.cell(condition["severity"]),
                            TableOutput.cell(condition["since"]), TableOutput.cell(condition["incident_cause"]),
                            HealthFormat.cell(condition["text"] ?? condition["detail"]),
                        ]
                    })
                emit("")
                TableOutput.print(HealthFormat.incidentHeaders, (vehicle["open_incidents"] as? [[String: Any]] ?? []).map(HealthFormat.incidentRow))
            }
        }
    }

    struct Fleet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fleet overview: vehicles with and without issues, conditions by kind, open incidents by cause, the worst vehicles, MTBF/MTTR.")
        @OptionGroup var health: HealthAPIOptions
        @Option(help: "How many of the worst vehicles to list (0-1000; the service's default is 10).") var worst: Int?

        func run() async throws {
            try await health.run {
                let reply = try await health.client.get("/v1/fleet/health" + (worst.map { "?worst=\($0)" } ?? ""))
                if health.output == .json { return emit(reply.text) }
                let fleet = reply.object
                HealthFormat.fields(
                    [
                        ("vehicles", TableOutput.cell(fleet["vehicles"])),
                        ("healthy", TableOutput.cell(fleet["healthy"])),
                        ("with issues", TableOutput.cell(fleet["with_issues"])),
                        ("conditions", HealthFormat.counts(fleet["conditions"])),
                        ("open incidents", HealthFormat.counts(fleet["open_incidents"])),
                    ] + HealthFormat.downtime(fleet["downtime"]))
                emit("")
                TableOutput.print(
                    ["VEHICLE", "SCORE", "LAST SEEN", "ACTIVE"],
                    (fleet["worst"] as? [[String: Any]] ?? []).map { vehicle in
                        [
                            TableOutput.cell(vehicle["vehicle_id"]), TableOutput.cell(vehicle["score"]), TableOutput.cell(vehicle["last_seen"]),
                            TableOutput.cell(vehicle["active"]),
                        ]
                    })
            }
        }
    }

    struct Forecast: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vehicles by predicted remaining useful life, soonest maintenance first.")
        @OptionGroup var health: HealthAPIOptions
        @Option(help: "Vehicles per page (1-1000; the service's default is 100).") var limit: Int?
        @Option(help: "Start after this cursor (a previous page's next_after).") var after: String?
        @Flag(help: "Follow next_after until the last page.") var all = false

        func run() async throws {
            try await health.run {
                let page = try await health.client.items(
                    "/v1/maintenance/forecast", query: limit.map { ["limit=\($0)"] } ?? [], after: after, all: all)
                if health.output == .json { return emit(try ServiceAPI.json(items: page.items, nextAfter: page.nextAfter)) }
                TableOutput.print(
                    ["VEHICLE", "RUL", "LOWER", "UPPER", "DUE", "AT", "BATTERY"],
                    page.items.map { item in
                        let forecast = item["remaining_useful_life"] as? [String: Any] ?? [:]
                        return [
                            TableOutput.cell(item["vehicle_id"]), HealthFormat.number(forecast["rul_cycles"]), HealthFormat.number(forecast["lower"]),
                            HealthFormat.number(forecast["upper"]), item["maintenance_due"] as? Bool == true ? "yes" : "no",
                            TableOutput.cell(forecast["at"]), HealthFormat.battery(item["battery"]),
                        ]
                    })
                HealthCommand.hintMore(page.nextAfter)
            }
        }
    }
}
