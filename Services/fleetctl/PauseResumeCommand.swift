import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What `fleetctl pause` and `fleetctl resume` share: the selection, reason, TTL and waiting for acknowledgements.
struct VehicleCommandOptions: ParsableArguments {
    @Argument(help: "One vehicle id (or use --vehicle, --tag, --geofence or --all).") var id: String?
    @Option(name: .customLong("vehicle"), help: "A vehicle id; repeat for several.") var vehicles: [String] = []
    @Option(help: "Every vehicle with this tag.") var tag: String?
    @Option(help: "Every vehicle inside this fleet-tracking geofence (its polygon is read from --tracking-url).") var geofence: String?
    @Option(help: "fleet-tracking base URL, for --geofence (default: FLEET_TRACKING_URL or http://127.0.0.1:8081).")
    var trackingURL = ProcessInfo.processInfo.environment["FLEET_TRACKING_URL"] ?? FleetctlProfile.current.trackingURL ?? "http://127.0.0.1:8081"
    @Flag(help: "The whole fleet.") var all = false
    @Option(help: "Why (recorded in the audit log and sent to the vehicle).") var reason: String?
    @Option(help: "Time-to-live in seconds (default: the service's).") var ttl: Int?
    @Option(help: "Seconds to wait for the vehicles' answers; 0 returns once the commands are stored.") var wait: Double = 10
    @Option(help: "Idempotency-Key, so a retried invocation never sends twice.") var idempotencyKey: String?

    func validate() throws {
        let selections = (id != nil ? 1 : 0) + (vehicles.isEmpty ? 0 : 1) + (tag != nil ? 1 : 0) + (geofence != nil ? 1 : 0) + (all ? 1 : 0)
        guard selections == 1 else { throw ValidationError("give exactly one of: <id>, --vehicle, --tag, --geofence, --all") }
        guard wait >= 0 else { throw ValidationError("--wait must not be negative") }
    }

    /// Sends `action`, waits for the answers, prints them and exits with 1 (refused/failed/expired) or 7 (unanswered).
    func send(_ action: String, control: ControlOptions) async throws {
        try await control.run {
            let client = ControlClient(options: control)
            var body: [String: Any] = ["action": action]
            if let reason { body["reason"] = reason }
            if let ttl { body["ttl_seconds"] = ttl }
            let headers = idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
            var commands: [[String: Any]]
            var summary: [String: Any]?
            if let id {
                commands = [try await client.send(.POST, "/v1/vehicles/\(id.urlComponent)/commands", json: body, headers: headers).object]
            } else {
                if !vehicles.isEmpty { body["vehicle_ids"] = vehicles }
                if let tag { body["tag"] = tag }
                if let geofence { body["geofence"] = try await Self.geometry(ofGeofence: geofence, trackingURL: trackingURL, token: control.resolvedToken) }
                if all { body["all"] = true }
                let reply = try await client.send(.POST, "/v1/fleet/commands", json: body, headers: headers).object
                commands = reply["commands"] as? [[String: Any]] ?? []
                summary = reply["summary"] as? [String: Any]
            }
            if wait > 0 { commands = try await CommandsCommand.waitForAnswers(commands, client: client, seconds: wait) }
            if control.output == .json {
                var out: [String: Any] = ["commands": commands]
                if let summary { out["summary"] = summary }
                emit(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
            } else {
                TableOutput.print(CommandsCommand.headers, commands.map(CommandsCommand.row))
                if let summary {
                    emit("selected \(TableOutput.cell(summary["selected"])), created \(TableOutput.cell(summary["created"])), skipped \(TableOutput.cell(summary["skipped"]))")
                }
            }
            try CommandsCommand.checkOutcome(commands, waited: wait > 0)
        }
    }
}

extension VehicleCommandOptions {
    /// The GeoJSON Polygon of a fleet-tracking geofence (`GET /v1/geofences/{id}`), as fleet-control selects by it.
    static func geometry(ofGeofence id: String, trackingURL: String, token: String?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: "\(trackingURL)/v1/geofences/\(id.urlComponent)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status == .ok else {
            throw FleetctlError("geofence \(id): fleet-tracking at \(trackingURL) answered \(response.status.code)")
        }
        guard let feature = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let geometry = feature["geometry"] as? [String: Any]
        else { throw FleetctlError("geofence \(id): fleet-tracking's answer is not a GeoJSON Feature") }
        return geometry
    }
}

/// `fleetctl pause <id>|--vehicle V…|--tag T|--geofence G|--all --reason …`
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause vehicles and wait for their acknowledgement.",
        discussion: "Exit status 0 when every vehicle acknowledged, 1 if any rejected, failed or expired, 7 if any did not answer within --wait."
    )
    @OptionGroup var control: ControlOptions
    @OptionGroup var options: VehicleCommandOptions

    func run() async throws { try await options.send("pause", control: control) }
}

/// `fleetctl resume <id>|--vehicle V…|--tag T|--geofence G|--all --reason …`
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume paused vehicles and wait for their acknowledgement.",
        discussion: "Exit status as for pause."
    )
    @OptionGroup var control: ControlOptions
    @OptionGroup var options: VehicleCommandOptions

    func run() async throws { try await options.send("resume", control: control) }
}
