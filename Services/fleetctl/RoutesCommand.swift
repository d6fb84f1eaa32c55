import ArgumentParser
import Foundation

/// `--routing`, `--token`, `--output`, `--request-timeout`: where and how to talk to fleet-routing.
struct RoutingAPIOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("routing"), help: "fleet-routing base URL (default: FLEET_ROUTING_URL, the fleetctl login profile, or http://127.0.0.1:8085).")
    var baseURL: String = FleetctlProfile.environment["FLEET_ROUTING_URL"] ?? FleetctlProfile.current.routingURL ?? "http://127.0.0.1:8085"

    @Option(help: "API token (routes:write to plan and dispatch, fleet:read to read; default: FLEET_TOKEN, FLEET_CONTROL_TOKEN, or the one saved by fleetctl login).")
    var token: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: table or json.")
    var output: ControlOptions.Output = .table

    @Option(help: "Seconds to wait for each HTTP response.")
    var requestTimeout: Double = 120

    var client: ServiceAPI { ServiceAPI(service: "fleet-routing", baseURL: baseURL, token: token ?? FleetctlProfile.token, timeout: requestTimeout) }

    /// Runs `body`, turning a ``ControlCLIError`` into its message on stderr and its exit code (3, 4, 5, 6 or 1).
    func run(_ body: () async throws -> Void) async throws {
        try await ServiceAPI.reportingErrors(body)
    }
}

/// `fleetctl routes …`: plan, inspect and dispatch delivery routes (fleet-routing API).
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Plan delivery routes, follow them, and send them to the vehicles (fleet-routing API).",
        discussion: """
            fleet-routing is found with --routing, FLEET_ROUTING_URL, the fleetctl login profile (fleetctl login --routing URL), \
            or http://127.0.0.1:8085. Exit status: 3 unreachable, 4 unauthorised, 5 unknown plan, 6 a request the service refused.
              fleetctl routes optimize -f request.json --wait
              fleetctl routes get <plan-id>
              fleetctl routes dispatch <plan-id>
            """,
        subcommands: [Optimize.self, Get.self, Dispatch.self, Jams.self]
    )

    /// Prints a plan: one line per route and stop, then what was left out.
    static func printPlan(_ plan: [String: Any]) {
        let id = plan["id"] as? String ?? "?"
        emit("plan \(id)  status \(plan["status"] as? String ?? "?")")
        if let summary = plan["summary"] as? [String: Any] {
            emit(
                String(
                    format: "  %d vehicles  %d stops  %.1f km  %.0f min  (%d unassigned)", summary["vehicles_used"] as? Int ?? 0,
                    summary["stops_assigned"] as? Int ?? 0, (summary["distance_m"] as? Double ?? 0) / 1_000,
                    (summary["duration_s"] as? Double ?? 0) / 60, summary["stops_unassigned"] as? Int ?? 0))
        }
        for route in plan["routes"] as? [[String: Any]] ?? [] {
            let stops = route["stops"] as? [[String: Any]] ?? []
            emit(
                String(
                    format: "  %@: %d stops, %.1f km, done %d%@", route["vehicle_id"] as? String ?? "?", stops.count,
                    (route["distance_m"] as? Double ?? 0) / 1_000, route["completed_stops"] as? Int ?? 0,
                    (route["command_id"] as? String).map { ", command \($0)" } ?? ""))
            for stop in stops {
                let eta = (stop["eta_ms"] as? Double).map { Date(timeIntervalSince1970: $0 / 1_000).formatted(date: .omitted, time: .standard) } ?? "?"
                let reached = stop["reached_at_ms"] != nil ? "  reached" : ""
                emit("    \(stop["id"] as? String ?? "?")  eta \(eta)\(reached)")
            }
        }
        for stop in plan["unassigned"] as? [[String: Any]] ?? [] {
            emit("  unassigned \(stop["id"] as? String ?? "?"): \(stop["reason"] as? String ?? "?") (\(stop["detail"] as? String ?? ""))")
        }
        for vehicle in (plan["excluded_vehicles"] as? [[String: Any]] ?? []) + (plan["limited_vehicles"] as? [[String: Any]] ?? []) {
            emit("  vehicle \(vehicle["vehicle_id"] as? String ?? "?"): \(vehicle["reason"] as? String ?? "?") (\(vehicle["detail"] as? String ?? ""))")
        }
        for error in plan["dispatch_errors"] as? [[String: Any]] ?? [] {
            emit("  not dispatched to \(error["vehicle_id"] as? String ?? "?"): \(error["detail"] as? String ?? "")")
        }
    }

    struct Optimize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan routes for the vehicles and stops of a request file (POST /v1/routes/optimize; - reads stdin).")
        @OptionGroup var routing: RoutingAPIOptions
        @Option(name: .shortAndLong, help: "Request JSON (docs/openapi/routing.yaml, PlanRequest).") var file: String
        @Flag(help: "For a request answered as a job (202), wait until it is solved.") var wait = false

        func run() async throws {
            try await routing.run {
                let body: Data
                do {
                    body = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw ControlCLIError(code: .failed, message: "cannot read \(file): \(error.localizedDescription)")
                }
                var reply = try await routing.client.post("/v1/routes/optimize", body: Array(body))
                if wait, let id = reply.object["id"] as? String {
                    while ["queued", "running"].contains(reply.object["status"] as? String ?? "") {
                        try await Task.sleep(for: .milliseconds(500))
                        reply = try await routing.client.get("/v1/routes/\(id.urlComponent)")
                    }
                }
                if routing.output == .json { return emit(reply.text) }
                RoutesCommand.printPlan(reply.object)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A plan, with its progress once dispatched.")
        @OptionGroup var routing: RoutingAPIOptions
        @Argument(help: "Plan id.") var id: String

        func run() async throws {
            try await routing.run {
                let reply = try await routing.client.get("/v1/routes/\(id.urlComponent)")
                if routing.output == .json { return emit(reply.text) }
                RoutesCommand.printPlan(reply.object)
            }
        }
    }

    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send each route of a plan to its vehicle (through fleet-control).")
        @OptionGroup var routing: RoutingAPIOptions
        @Argument(help: "Plan id.") var id: String

        func run() async throws {
            try await routing.run {
                let reply = try await routing.client.post("/v1/routes/\(id.urlComponent)/dispatch", body: Array("{}".utf8))
                if routing.output == .json { return emit(reply.text) }
                RoutesCommand.printPlan(reply.object)
            }
        }
    }

    struct Jams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Traffic jams in force.")
        @OptionGroup var routing: RoutingAPIOptions

        func run() async throws {
            try await routing.run {
                let reply = try await routing.client.get("/v1/traffic/jams")
                if routing.output == .json { return emit(reply.text) }
                for jam in reply.object["jams"] as? [[String: Any]] ?? [] {
                    emit(
                        String(
                            format: "%@  %.0f of %.0f km/h  at %.5f,%.5f", jam["road"] as? String ?? "(unnamed road)",
                            jam["speed_kmh"] as? Double ?? 0, jam["free_flow_kmh"] as? Double ?? 0, jam["lat"] as? Double ?? 0,
                            jam["lon"] as? Double ?? 0))
                }
            }
        }
    }
}
