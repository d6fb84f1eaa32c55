import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import Testing

/// `fleetctl health …` and `fleetctl incidents …` against real fleet-control and fleet-health processes on one broker:
/// a breakdown published as a vehicle would is what the operator sees, with the documented exit codes and tables.
@Suite("fleetctl health and incidents", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct FleetctlHealthTests {
    @Test("a breakdown on the broker shows in health vehicle/fleet and incidents list (json and table, paging); exit codes 2-6; --health, FLEET_HEALTH_URL and the login profile")
    func breakdownThroughFleetctl() async throws {
        let broker = try TestBroker(persistence: false)
        try await TestPostgres.withSchema(poolSize: 1) { _, controlSchema in
            try await TestPostgres.withSchema(poolSize: 1) { _, healthSchema in
                let control = try await FleetControlService.start(broker: broker, schema: controlSchema)
                defer { control.stop() }
                let health = try await FleetControlService.start(
                    broker: broker, schema: healthSchema, // Levels and last-seen times are flushed by the sweep: every 200 ms instead of 2 s.
                    environment: ["FLEET_AUTH_INTROSPECTION_URL": "\(control.url)/auth/introspect", "FLEET_HEALTH_SWEEP_INTERVAL_MS": "200"],
                    service: "fleet-health")
                defer { health.stop() }
                do {
                    try await Self.exercise(control: control, health: health, broker: broker)
                } catch {
                    throw HarnessError("\(error)\n--- fleet-health log (tail) ---\n\(health.logTail)")
                }
            }
        }
        withExtendedLifetime(broker) {}
    }

    /// `fleetctl arguments --health <health> --token <admin>`.
    static func fleetctl(_ health: FleetControlService, _ arguments: String..., token: String? = FleetControlService.adminToken) async throws
        -> FleetctlResult
    {
        try await Fleetctl.run(arguments + ["--health", health.url] + (token.map { ["--token", $0] } ?? []))
    }

    static func exercise(control: FleetControlService, health: FleetControlService, broker: TestBroker) async throws {
        // truck-7 breaks down (a moving sample, then one with status fault and P0A0F); van-3 disconnects.
        let truck = try VehicleID("truck-7")
        let van = try VehicleID("van-3")
        let connection = MQTTConfiguration(port: broker.port, clientID: "fleetctl-health-\(UUID().uuidString.prefix(6))")
        try await MQTTClient.withConnection(configuration: connection, logger: silentLogger) { mqtt in
            let start = TimestampPolicy.millis(from: .now) - 5_000
            for (sequence, status, codes) in [(UInt64(1), VehicleStatus.moving, [String]()), (2, .fault, ["P0A0F"])] {
                let sample = Telemetry(
                    vehicleID: truck, sequence: sequence, deviceTimeMillis: start + Int64(sequence) * 100,
                    position: Position(latitude: 43.7384, longitude: 7.4246), speedMetersPerSecond: status == .fault ? 0 : 9,
                    headingDegrees: 0, odometerMeters: 100, batteryPercent: 12, status: status, faultCodes: codes)
                try await mqtt.publish(try FleetCodec.encode(sample), to: VehicleChannel.telemetry.topic(for: truck))
            }
            let offline = VehicleState(vehicleID: van, connectivity: .offline, lastSeenMillis: TimestampPolicy.millis(from: .now))
            try await mqtt.publish(try FleetCodec.encode(offline), to: VehicleChannel.state.topic(for: van))
        }

        // health vehicle -o json: score 0, the fault active with its severity and text, one open fault incident.
        var vehicle: [String: Any] = [:]
        try await eventually("fleet-health reports truck-7's fault", seconds: 15) {
            let result = try await fleetctl(health, "health", "vehicle", "truck-7", "-o", "json")
            guard result.exitCode == FleetctlExit.success else { return false }
            vehicle = try result.json()
            return (vehicle["open_incidents"] as? [Any])?.isEmpty == false && (vehicle["levels"] as? [String: Any])?["battery_pct"] != nil
                && vehicle["last_seen"] is String
        }
        #expect(vehicle["vehicle_id"] as? String == "truck-7")
        #expect(vehicle["score"] as? Int == 0, "\(vehicle)")
        #expect((vehicle["levels"] as? [String: Any])?["battery_pct"] as? Double == 12, "\(vehicle)")
        let active = vehicle["active"] as? [[String: Any]] ?? []
        let fault = try #require(active.first { $0["condition"] as? String == "fault:P0A0F" }, "\(vehicle)")
        #expect(fault["kind"] as? String == "fault")
        #expect(fault["since"] is String && fault["severity"] is String, "\(fault)")
        let open = vehicle["open_incidents"] as? [[String: Any]] ?? []
        #expect(open.count == 1 && open.first?["cause"] as? String == "fault" && open.first?["open"] as? Bool == true, "\(open)")
        #expect((vehicle["downtime"] as? [String: Any])?["failures"] as? Int == 1, "\(vehicle)")

        // incidents list --vehicle: exactly that open fault incident.
        let truckIncidents = try await fleetctl(health, "incidents", "list", "--vehicle", "truck-7", "-o", "json")
        #expect(truckIncidents.exitCode == FleetctlExit.success, "\(truckIncidents)")
        let truckItems = try truckIncidents.json()["items"] as? [[String: Any]] ?? []
        #expect(truckItems.count == 1, "\(truckIncidents)")
        #expect(truckItems.first?["cause"] as? String == "fault" && truckItems.first?["open"] as? Bool == true, "\(truckIncidents)")
        #expect(truckItems.first?["vehicle_id"] as? String == "truck-7" && truckItems.first?["id"] as? String == open.first?["id"] as? String)

        // --cause filters; van-3's offline incident is the only one of its cause.
        var offlineItems: [[String: Any]] = []
        try await eventually("fleet-health records van-3 offline", seconds: 10) {
            let result = try await fleetctl(health, "incidents", "list", "--cause", "offline", "-o", "json")
            offlineItems = try result.json()["items"] as? [[String: Any]] ?? []
            return !offlineItems.isEmpty
        }
        #expect(offlineItems.count == 1 && offlineItems.first?["vehicle_id"] as? String == "van-3", "\(offlineItems)")

        // Paging: one page of one has a cursor; --all follows it to both incidents, newest first, none twice.
        let onePage = try await fleetctl(health, "incidents", "list", "--limit", "1", "-o", "json")
        #expect(onePage.exitCode == FleetctlExit.success, "\(onePage)")
        #expect((try onePage.json()["items"] as? [Any])?.count == 1, "\(onePage)")
        let cursor = try #require(try onePage.json()["next_after"] as? String, "\(onePage)")
        let secondPage = try await fleetctl(health, "incidents", "list", "--limit", "1", "--after", cursor, "-o", "json")
        let secondItems = try secondPage.json()["items"] as? [[String: Any]] ?? []
        let allPages = try await fleetctl(health, "incidents", "list", "--limit", "1", "--all", "-o", "json")
        #expect(allPages.exitCode == FleetctlExit.success, "\(allPages)")
        let all = try allPages.json()["items"] as? [[String: Any]] ?? []
        #expect(Set(all.compactMap { $0["vehicle_id"] as? String }) == ["truck-7", "van-3"] && all.count == 2, "\(allPages)")
        #expect(try allPages.json()["next_after"] == nil, "\(allPages)")
        #expect(secondItems.first?["id"] as? String == all.last?["id"] as? String, "\(secondPage)\n\(allPages)")
        // Values are sent percent-encoded: '&limit=1' inside --from reaches the service as part of 'from' (refused),
        // not as another parameter.
        let injected = try await fleetctl(health, "incidents", "list", "--from", "0&limit=1", "-o", "json")
        #expect(injected.exitCode == FleetctlExit.refused && injected.stderr.contains("'from'"), "\(injected)")

        // Tables: health vehicle is the figures, then the active conditions, then the open incidents.
        let vehicleTable = try await fleetctl(health, "health", "vehicle", "truck-7")
        #expect(vehicleTable.exitCode == FleetctlExit.success, "\(vehicleTable)")
        #expect(vehicleTable.blocks.count == 3, "\(vehicleTable)")
        let figures = vehicleTable.blocks.first ?? ""
        for field in ["vehicle:", "score:", "status:", "battery:", "RUL:", "MTBF:", "MTTR:"] { #expect(figures.contains(field), "\(vehicleTable)") }
        #expect(figures.contains("0/100") && figures.contains("12%"), "\(vehicleTable)")
        #expect(figures.split(separator: "\n").contains { $0.hasPrefix("last seen:") && !$0.hasSuffix(" -") }, "\(vehicleTable)")
        let conditions = try RenderedTable(vehicleTable.blocks[1], columns: ["CONDITION", "KIND", "SEVERITY", "SINCE", "INCIDENT", "TEXT"])
        let faultRow = try #require(conditions.row("CONDITION", "fault:P0A0F"), "\(conditions)")
        #expect(faultRow["KIND"] == "fault" && faultRow["INCIDENT"] == "fault" && faultRow["SEVERITY"] == fault["severity"] as? String, "\(conditions)")
        let openTable = try RenderedTable(vehicleTable.blocks[2], columns: Self.incidentColumns)
        #expect(openTable.rows.count == 1 && openTable.rows.first?["CAUSE"] == "fault" && openTable.rows.first?["STATE"] == "open", "\(openTable)")

        let listTable = try await fleetctl(health, "incidents", "list")
        #expect(listTable.exitCode == FleetctlExit.success, "\(listTable)")
        let incidents = try RenderedTable(listTable.stdout, columns: Self.incidentColumns)
        #expect(incidents.row("VEHICLE", "van-3")?["CAUSE"] == "offline" && incidents.row("VEHICLE", "truck-7")?["CAUSE"] == "fault", "\(incidents)")

        let fleetTable = try await fleetctl(health, "health", "fleet", "--worst", "5")
        #expect(fleetTable.exitCode == FleetctlExit.success, "\(fleetTable)")
        #expect(fleetTable.blocks.first?.contains("with issues:") == true && fleetTable.blocks.first?.contains("fault=1") == true, "\(fleetTable)")
        let worst = try RenderedTable(fleetTable.blocks.last ?? "", columns: ["VEHICLE", "SCORE", "LAST SEEN", "ACTIVE"])
        #expect(worst.rows.first?["VEHICLE"] == "truck-7" && worst.rows.first?["SCORE"] == "0", "\(worst)")
        #expect(worst.row("VEHICLE", "truck-7")?["ACTIVE"]?.contains("fault:P0A0F") == true, "\(worst)")

        let forecast = try await fleetctl(health, "health", "forecast", "--all")
        #expect(forecast.exitCode == FleetctlExit.success, "\(forecast)")
        _ = try RenderedTable(forecast.stdout, columns: ["VEHICLE", "RUL", "LOWER", "UPPER", "DUE", "AT", "BATTERY"])
        let forecastJSON = try await fleetctl(health, "health", "forecast", "--limit", "10", "-o", "json")
        #expect((try forecastJSON.json()["items"] as? [Any])?.isEmpty == true, "no vehicle reports cycles:\n\(forecastJSON)")

        // Exit codes: 5 unknown vehicle, 2 a cause that is not one, 6 a value the service refuses (its message), 4 a bad
        // token or a missing scope, 3 nothing listening.
        let unknown = try await fleetctl(health, "health", "vehicle", "nobody-1")
        #expect(unknown.exitCode == FleetctlExit.notFound && unknown.stderr.contains("404"), "\(unknown)")
        let badCause = try await fleetctl(health, "incidents", "list", "--cause", "flat-tyre")
        #expect(badCause.exitCode == FleetctlExit.usage, "\(badCause)")
        let badWorst = try await fleetctl(health, "health", "fleet", "--worst", "5000")
        #expect(badWorst.exitCode == FleetctlExit.refused && badWorst.stderr.contains("'worst'"), "\(badWorst)")
        let badTime = try await fleetctl(health, "incidents", "list", "--to", "yesterday")
        #expect(badTime.exitCode == FleetctlExit.refused && badTime.stderr.contains("'to'"), "\(badTime)")
        let badID = try await fleetctl(health, "health", "vehicle", "no/such?id")
        #expect(badID.exitCode == FleetctlExit.refused, "the id is one path segment, refused as an id:\n\(badID)")
        let forged = try await fleetctl(health, "health", "fleet", token: "fct_not-a-token")
        #expect(forged.exitCode == FleetctlExit.unauthorized, "\(forged)")
        let noToken = try await fleetctl(health, "incidents", "list", token: nil)
        #expect(noToken.exitCode == FleetctlExit.unauthorized, "\(noToken)")
        let created = try await control.fleetctl("tokens", "create", "--name", "no-read", "--scope", "alerts:write", "-o", "json")
        let noRead = try #require(try created.json()["token"] as? String, "\(created)")
        let forbidden = try await fleetctl(health, "health", "vehicle", "truck-7", token: noRead)
        #expect(forbidden.exitCode == FleetctlExit.unauthorized, "\(forbidden)")
        let closed = try Fleetctl.closedURL()
        for arguments in [["health", "fleet"], ["incidents", "list"]] {
            let down = try await Fleetctl.run(arguments + ["--health", closed, "--token", FleetControlService.adminToken])
            #expect(down.exitCode == FleetctlExit.unreachable && down.stderr.contains("fleet-health"), "\(down)")
        }

        // Where the service is: FLEET_HEALTH_URL, then the login profile (fleetctl login --health).
        let fromEnvironment = try await Fleetctl.run(
            ["health", "vehicle", "truck-7", "-o", "json", "--token", FleetControlService.adminToken], environment: ["FLEET_HEALTH_URL": health.url])
        #expect(fromEnvironment.exitCode == FleetctlExit.success && (try? fromEnvironment.json()["score"]) as? Int == 0, "\(fromEnvironment)")
        let home = try ChildProcess.temporaryDirectory("fleetctl-health-profile")
        defer { try? FileManager.default.removeItem(at: home) }
        let profile = ["FLEET_CONFIG": home.appendingPathComponent("fleetctl.json").path]
        let login = try await Fleetctl.run(["login", "--api", control.url, "--health", health.url, "--token", FleetControlService.adminToken], environment: profile)
        #expect(login.exitCode == FleetctlExit.success, "\(login)")
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: home.appendingPathComponent("fleetctl.json"))) as? [String: Any]
        #expect(saved?["health_url"] as? String == health.url, "\(String(describing: saved))")
        let fromProfile = try await Fleetctl.run(["health", "fleet", "-o", "json"], environment: profile)
        #expect(fromProfile.exitCode == FleetctlExit.success, "\(fromProfile)")
        #expect((try? fromProfile.json()["with_issues"]) as? Int ?? 0 >= 1, "\(fromProfile)")
    }

    /// The columns of `fleetctl incidents list` and of the open incidents under `fleetctl health vehicle`.
    static let incidentColumns = ["INCIDENT", "VEHICLE", "CAUSE", "STATE", "STARTED", "ENDED", "DURATION", "DETAIL"]
}
