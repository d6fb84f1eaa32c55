import FleetTestSupport
import Foundation
import Testing

/// `fleetctl` output, table (default) and `-o json`, with exit status 0, against a running fleet-control.
@Suite(
    "fleetctl output against fleet-control", .serialized, .timeLimit(.minutes(1)),
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set")
)
struct FleetctlOutputTests {
    static let tokenColumns = ["TOKEN", "NAME", "SCOPES", "CREATED", "REVOKED"]
    static let vehicleColumns = ["VEHICLE", "CONNECTIVITY", "STATUS", "LAST SEEN", "PAUSED", "TAGS"]
    static let commandColumns = ["COMMAND", "VEHICLE", "ACTION", "STATUS", "REASON", "UPDATED"]
    static let auditColumns = ["ID", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME", "FROM", "DETAILS"]

    /// A token as `POST /v1/tokens` / `GET /v1/tokens` return it (`token` only on create).
    struct TokenJSON: Decodable {
        var id: String
        var name: String
        var scopes: [String]
        var created_at: String
        var created_by: String?
        var revoked_at: String?
        var token: String?
    }

    struct TokenList: Decodable {
        var tokens: [TokenJSON]
    }

    /// ISO 8601 with fractional seconds, as fleet-control writes every date.
    static func isTimestamp(_ text: String?) -> Bool {
        guard let text else { return false }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil
    }

    @Test("tokens create/list/revoke and audit, as tables and as JSON; FLEET_CONTROL_URL and FLEET_CONTROL_TOKEN as defaults")
    func tokensAndAudit() async throws {
        try await withFleetControl { service in
            // create -o json: the token with its secret, once.
            let createdJSON = try await service.fleetctl("tokens", "create", "--name", "ops-script", "--scope", "fleet:read", "--scope", "commands:write", "-o", "json")
            #expect(createdJSON.exitCode == FleetctlExit.success, "\(createdJSON)")
            let created = try createdJSON.decode(TokenJSON.self)
            #expect(created.id.hasPrefix("tok_"), "\(createdJSON)")
            #expect(created.name == "ops-script")
            #expect(created.scopes == ["commands:write", "fleet:read"], "scopes are returned sorted: \(createdJSON)")
            #expect(created.token?.hasPrefix("fct_") == true, "\(createdJSON)")
            #expect(created.revoked_at == nil)
            #expect(created.created_by == FleetControlService.adminTokenID, "\(createdJSON)")
            #expect(Self.isTimestamp(created.created_at), "\(createdJSON)")

            // create (table): one row, a blank line, the secret.
            let createdTable = try await service.fleetctl("tokens", "create", "--name", "dashboard", "--scope", "fleet:read")
            #expect(createdTable.exitCode == FleetctlExit.success, "\(createdTable)")
            try #require(createdTable.blocks.count == 2, "\(createdTable)")
            let createdRows = try RenderedTable(createdTable.blocks[0], columns: Self.tokenColumns)
            #expect(createdRows.rows.count == 1, "\(createdRows)")
            let dashboardID = try #require(createdRows.rows.first?["TOKEN"])
            #expect(dashboardID.hasPrefix("tok_"))
            #expect(createdRows.rows.first?["NAME"] == "dashboard" && createdRows.rows.first?["SCOPES"] == "fleet:read", "\(createdRows)")
            #expect(createdRows.rows.first?["REVOKED"] == "-", "\(createdRows)")
            let secretLine = createdTable.blocks[1]
            #expect(secretLine.hasPrefix("secret (shown only now): fct_"), "\(createdTable)")

            // A created token works: the secret printed by the table form reads the API.
            let secret = String(secretLine.dropFirst("secret (shown only now): ".count))
            #expect(try await service.fleetctl("vehicles", "list", credential: .token(secret)).exitCode == FleetctlExit.success)

            // revoke: table and JSON.
            let revokedText = try await service.fleetctl("tokens", "revoke", dashboardID)
            #expect(revokedText.exitCode == FleetctlExit.success, "\(revokedText)")
            #expect(revokedText.stdout == "revoked \(dashboardID)\n", "\(revokedText)")
            let revokedJSON = try await service.fleetctl("tokens", "revoke", dashboardID, "-o", "json")
            #expect(revokedJSON.exitCode == FleetctlExit.success, "\(revokedJSON)")
            let revokedObject = try revokedJSON.json()
            #expect(revokedObject["id"] as? String == dashboardID && revokedObject["revoked"] as? Bool == true, "\(revokedJSON)")
            #expect(revokedObject["already_revoked"] as? Bool == true, "\(revokedJSON)")

            // list -o json: the bootstrap admin and both tokens, never a secret.
            let listJSON = try await service.fleetctl("tokens", "list", "-o", "json")
            #expect(listJSON.exitCode == FleetctlExit.success, "\(listJSON)")
            let tokens = try listJSON.decode(TokenList.self).tokens
            #expect(Set(tokens.map(\.id)) == [FleetControlService.adminTokenID, created.id, dashboardID], "\(listJSON)")
            #expect(tokens.allSatisfy { $0.token == nil }, "\(listJSON)")
            #expect(!listJSON.stdout.contains(created.token ?? "fct_"), "secret listed: \(listJSON)")
            #expect(tokens.first { $0.id == dashboardID }.map { Self.isTimestamp($0.revoked_at) } == true, "\(listJSON)")
            #expect(tokens.first { $0.id == FleetControlService.adminTokenID }?.scopes.contains("admin") == true, "\(listJSON)")

            // list (table): the same tokens, the revocation time in REVOKED.
            let listTable = try await service.fleetctl("tokens", "list")
            #expect(listTable.exitCode == FleetctlExit.success, "\(listTable)")
            let table = try RenderedTable(listTable.stdout, columns: Self.tokenColumns)
            #expect(Set(table.rows.compactMap { $0["TOKEN"] }) == [FleetControlService.adminTokenID, created.id, dashboardID], "\(table)")
            #expect(table.row("TOKEN", created.id)?["SCOPES"] == "commands:write,fleet:read", "\(table)")
            #expect(table.row("TOKEN", created.id)?["NAME"] == "ops-script", "\(table)")
            #expect(table.row("TOKEN", created.id)?["REVOKED"] == "-", "\(table)")
            #expect(Self.isTimestamp(table.row("TOKEN", created.id)?["CREATED"]), "\(table)")
            #expect(Self.isTimestamp(table.row("TOKEN", dashboardID)?["REVOKED"]), "\(table)")
            #expect(table.row("TOKEN", FleetControlService.adminTokenID)?["NAME"] == "bootstrap admin (FLEET_CONTROL_ADMIN_TOKEN)", "\(table)")

            // audit -o json: who created and revoked what.
            let auditJSON = try await service.fleetctl("audit", "--action", "token.create", "-o", "json")
            #expect(auditJSON.exitCode == FleetctlExit.success, "\(auditJSON)")
            let entries = try auditJSON.json()["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 2, "\(auditJSON)")
            #expect(entries.allSatisfy { $0["action"] as? String == "token.create" && $0["actor_token_id"] as? String == FleetControlService.adminTokenID }, "\(auditJSON)")
            #expect(Set(entries.compactMap { $0["target"] as? String }) == ["token:\(created.id)", "token:\(dashboardID)"], "\(auditJSON)")

            // audit (table), newest first: the second revocation (already revoked) is the latest entry.
            let auditTable = try await service.fleetctl("audit", "--limit", "10")
            #expect(auditTable.exitCode == FleetctlExit.success, "\(auditTable)")
            let audit = try RenderedTable(auditTable.stdout, columns: Self.auditColumns)
            #expect(audit.rows.count == 4, "\(audit)")
            #expect(audit.rows.first?["ACTION"] == "token.revoke" && audit.rows.first?["OUTCOME"] == "already_revoked", "\(audit)")
            #expect(audit.rows.first?["TARGET"] == "token:\(dashboardID)", "\(audit)")
            #expect(audit.rows.allSatisfy { $0["ACTOR"] == "bootstrap admin (FLEET_CONTROL_ADMIN_TOKEN)" }, "\(audit)")
            #expect(audit.rows.allSatisfy { ($0["FROM"] ?? "").contains("127.0.0.1") }, "\(audit)")

            // The environment supplies --api and --token when they are not given.
            let fromEnvironment = try await Fleetctl.run(
                ["tokens", "list", "-o", "json"],
                environment: ["FLEET_CONTROL_URL": service.url, "FLEET_CONTROL_TOKEN": FleetControlService.adminToken]
            )
            #expect(fromEnvironment.exitCode == FleetctlExit.success, "\(fromEnvironment)")
            #expect(try fromEnvironment.decode(TokenList.self).tokens.count == 3, "\(fromEnvironment)")
        }
    }

    @Test("vehicles list/get/tag/untag, as tables and as JSON")
    func vehicles() async throws {
        try await withFleetControl { service in
            try await service.announce("robot-1", connectivity: "online", status: "moving")
            try await service.announce("robot-2", connectivity: "offline", status: "idle")

            let tagged = try await service.fleetctl("vehicles", "tag", "robot-1", "depot-a")
            #expect(tagged.exitCode == FleetctlExit.success, "\(tagged)")
            #expect(tagged.stdout == "tagged robot-1 with depot-a\n", "\(tagged)")
            let taggedJSON = try await service.fleetctl("vehicles", "tag", "robot-1", "zone-9", "-o", "json")
            #expect(taggedJSON.exitCode == FleetctlExit.success, "\(taggedJSON)")
            let change = try taggedJSON.json()
            #expect(change["vehicle_id"] as? String == "robot-1" && change["tag"] as? String == "zone-9" && change["changed"] as? Bool == true, "\(taggedJSON)")

            // list -o json: every vehicle, ordered by id, with its reported state and tags.
            let listJSON = try await service.fleetctl("vehicles", "list", "-o", "json")
            #expect(listJSON.exitCode == FleetctlExit.success, "\(listJSON)")
            let vehicles = try listJSON.json()["vehicles"] as? [[String: Any]] ?? []
            #expect(vehicles.compactMap { $0["id"] as? String } == ["robot-1", "robot-2"], "\(listJSON)")
            let first = try #require(vehicles.first)
            #expect(first["connectivity"] as? String == "online" && first["status"] as? String == "moving", "\(listJSON)")
            #expect(first["tags"] as? [String] == ["depot-a", "zone-9"], "\(listJSON)")
            #expect(Self.isTimestamp(first["last_seen"] as? String), "\(listJSON)")
            #expect(!first.keys.contains("desired"), "no desired state before a pause: \(listJSON)")
            #expect(vehicles.last?["connectivity"] as? String == "offline" && vehicles.last?["tags"] as? [String] == [], "\(listJSON)")

            // Filters.
            let byTag = try await service.fleetctl("vehicles", "list", "--tag", "depot-a", "-o", "json")
            #expect((try byTag.json()["vehicles"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["robot-1"], "\(byTag)")
            let offline = try await service.fleetctl("vehicles", "list", "--connectivity", "offline", "-o", "json")
            #expect((try offline.json()["vehicles"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["robot-2"], "\(offline)")
            let limited = try await service.fleetctl("vehicles", "list", "--limit", "1", "-o", "json")
            #expect((try limited.json()["vehicles"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["robot-1"], "\(limited)")
            let none = try await service.fleetctl("vehicles", "list", "--tag", "nowhere")
            #expect(none.exitCode == FleetctlExit.success, "an empty list is not an error: \(none)")
            #expect(try RenderedTable(none.stdout, columns: Self.vehicleColumns).rows.isEmpty, "\(none)")

            // A pause sets the desired state at once (stored with the command).
            let paused = try await service.fleetctl("pause", "robot-2", "--reason", "storm", "--wait", "0")
            #expect(paused.exitCode == FleetctlExit.success, "\(paused)")

            // list (table).
            let listTable = try await service.fleetctl("vehicles", "list")
            #expect(listTable.exitCode == FleetctlExit.success, "\(listTable)")
            let table = try RenderedTable(listTable.stdout, columns: Self.vehicleColumns)
            #expect(table.rows.compactMap { $0["VEHICLE"] } == ["robot-1", "robot-2"], "\(table)")
            let one = try #require(table.row("VEHICLE", "robot-1"), "\(table)")
            #expect(one["CONNECTIVITY"] == "online" && one["STATUS"] == "moving" && one["PAUSED"] == "-" && one["TAGS"] == "depot-a,zone-9", "\(table)")
            #expect(Self.isTimestamp(one["LAST SEEN"]), "\(table)")
            let two = try #require(table.row("VEHICLE", "robot-2"), "\(table)")
            // A JSON boolean is printed as true/false, not as the number Foundation stores it in.
            #expect(two["CONNECTIVITY"] == "offline" && two["STATUS"] == "idle" && two["PAUSED"] == "true" && two["TAGS"] == "-", "\(table)")

            // get: JSON and table.
            let getJSON = try await service.fleetctl("vehicles", "get", "robot-2", "-o", "json")
            #expect(getJSON.exitCode == FleetctlExit.success, "\(getJSON)")
            let vehicle = try getJSON.json()
            #expect(vehicle["id"] as? String == "robot-2", "\(getJSON)")
            let desired = vehicle["desired"] as? [String: Any]
            #expect(desired?["paused"] as? Bool == true && desired?["reason"] as? String == "storm", "\(getJSON)")
            #expect(desired?["revision"] as? Int == 1, "\(getJSON)")
            let getTable = try await service.fleetctl("vehicles", "get", "robot-1")
            #expect(getTable.exitCode == FleetctlExit.success, "\(getTable)")
            let single = try RenderedTable(getTable.stdout, columns: Self.vehicleColumns)
            #expect(single.rows.count == 1 && single.rows.first?["VEHICLE"] == "robot-1" && single.rows.first?["TAGS"] == "depot-a,zone-9", "\(single)")

            // untag: text and JSON; removing a tag that is not there is no error (changed false).
            let untagged = try await service.fleetctl("vehicles", "untag", "robot-1", "zone-9")
            #expect(untagged.exitCode == FleetctlExit.success && untagged.stdout == "removed tag zone-9 from robot-1\n", "\(untagged)")
            let untaggedAgain = try await service.fleetctl("vehicles", "untag", "robot-1", "zone-9", "-o", "json")
            #expect(untaggedAgain.exitCode == FleetctlExit.success, "\(untaggedAgain)")
            #expect(try untaggedAgain.json()["changed"] as? Bool == false, "\(untaggedAgain)")
            let after = try await service.fleetctl("vehicles", "get", "robot-1", "-o", "json")
            #expect(try after.json()["tags"] as? [String] == ["depot-a"], "\(after)")
        }
    }

    @Test("pause, acknowledgement, commands wait/get/history, and a fleet command's summary, as tables and as JSON")
    func commands() async throws {
        try await withFleetControl { service in
            try await service.announce("robot-c")

            // pause --wait 0 -o json: the stored command, not yet answered.
            let pausedJSON = try await service.fleetctl("pause", "robot-c", "--reason", "inspection", "--wait", "0", "-o", "json")
            #expect(pausedJSON.exitCode == FleetctlExit.success, "\(pausedJSON)")
            let pausedObject = try pausedJSON.json()
            #expect(!pausedObject.keys.contains("summary"), "a single-vehicle command has no summary: \(pausedJSON)")
            let commands = pausedObject["commands"] as? [[String: Any]] ?? []
            #expect(commands.count == 1, "\(pausedJSON)")
            let command = try #require(commands.first)
            let id = try #require(command["id"] as? String)
            #expect(command["vehicle_id"] as? String == "robot-c" && command["action"] as? String == "pause", "\(pausedJSON)")
            #expect(command["reason"] as? String == "inspection" && command["created_by"] as? String == FleetControlService.adminTokenID, "\(pausedJSON)")
            #expect(["pending", "sent"].contains(command["status"] as? String ?? ""), "\(pausedJSON)")

            // The vehicle accepts; `commands wait` (table) returns with exit 0 and the answer.
            try await service.acknowledge(id, vehicle: "robot-c", status: "accepted")
            let waited = try await service.fleetctl("commands", "wait", id, "--timeout", "10")
            #expect(waited.exitCode == FleetctlExit.success, "\(waited)")
            let waitedTable = try RenderedTable(waited.stdout, columns: Self.commandColumns)
            #expect(waitedTable.rows.count == 1, "\(waitedTable)")
            let row = try #require(waitedTable.row("COMMAND", id), "\(waitedTable)")
            #expect(row["VEHICLE"] == "robot-c" && row["ACTION"] == "pause" && row["STATUS"] == "acknowledged", "\(waitedTable)")
            #expect(Self.isTimestamp(row["UPDATED"]), "\(waitedTable)")

            // get -o json: the command with its transitions.
            let gotJSON = try await service.fleetctl("commands", "get", id, "-o", "json")
            #expect(gotJSON.exitCode == FleetctlExit.success, "\(gotJSON)")
            let got = try gotJSON.json()
            #expect(got["id"] as? String == id && got["status"] as? String == "acknowledged", "\(gotJSON)")
            let transitions = (got["transitions"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(transitions.first == "pending" && transitions.last == "acknowledged", "\(gotJSON)")

            // get (table): the command, a blank line, its transitions.
            let gotTable = try await service.fleetctl("commands", "get", id)
            #expect(gotTable.exitCode == FleetctlExit.success, "\(gotTable)")
            try #require(gotTable.blocks.count == 2, "\(gotTable)")
            let head = try RenderedTable(gotTable.blocks[0], columns: Self.commandColumns)
            #expect(head.rows.first?["COMMAND"] == id && head.rows.first?["STATUS"] == "acknowledged", "\(head)")
            let steps = try RenderedTable(gotTable.blocks[1], columns: ["TRANSITION", "AT", "REASON"])
            #expect(steps.rows.compactMap { $0["TRANSITION"] } == transitions, "\(steps)")
            #expect(steps.rows.allSatisfy { Self.isTimestamp($0["AT"]) }, "\(steps)")

            // history: JSON and table, newest first.
            let resumed = try await service.fleetctl("resume", "robot-c", "--wait", "0", "-o", "json")
            #expect(resumed.exitCode == FleetctlExit.success, "\(resumed)")
            let resumedID = try #require((try resumed.json()["commands"] as? [[String: Any]])?.first?["id"] as? String, "\(resumed)")
            let historyJSON = try await service.fleetctl("commands", "history", "robot-c", "-o", "json")
            #expect(historyJSON.exitCode == FleetctlExit.success, "\(historyJSON)")
            let history = try historyJSON.json()
            #expect(history["vehicle_id"] as? String == "robot-c", "\(historyJSON)")
            #expect((history["commands"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [resumedID, id], "\(historyJSON)")
            let historyTable = try await service.fleetctl("commands", "history", "robot-c")
            let historyRows = try RenderedTable(historyTable.stdout, columns: Self.commandColumns)
            #expect(historyRows.rows.compactMap { $0["COMMAND"] } == [resumedID, id], "\(historyRows)")
            #expect(historyRows.rows.compactMap { $0["ACTION"] } == ["resume", "pause"], "\(historyRows)")

            // A fleet command (--tag): one command per selected vehicle and a summary line / object.
            try await service.announce("robot-d", connectivity: "offline")
            for vehicle in ["robot-c", "robot-d"] {
                #expect(try await service.fleetctl("vehicles", "tag", vehicle, "depot-c").exitCode == FleetctlExit.success)
            }
            let fleetTable = try await service.fleetctl("pause", "--tag", "depot-c", "--reason", "storm", "--wait", "0")
            #expect(fleetTable.exitCode == FleetctlExit.success, "\(fleetTable)")
            let fleetLines = fleetTable.stdout.split(separator: "\n").map(String.init)
            #expect(fleetLines.last == "selected 2, created 2, skipped 0", "\(fleetTable)")
            let fleetRows = try RenderedTable(fleetLines.dropLast().joined(separator: "\n"), columns: Self.commandColumns)
            #expect(Set(fleetRows.rows.compactMap { $0["VEHICLE"] }) == ["robot-c", "robot-d"], "\(fleetRows)")
            #expect(fleetRows.rows.allSatisfy { $0["ACTION"] == "pause" && $0["REASON"] == "storm" }, "\(fleetRows)")

            let fleetJSON = try await service.fleetctl("resume", "--vehicle", "robot-c", "--vehicle", "ghost-9", "--wait", "0", "-o", "json")
            #expect(fleetJSON.exitCode == FleetctlExit.success, "\(fleetJSON)")
            let fleet = try fleetJSON.json()
            let summary = fleet["summary"] as? [String: Any] ?? [:]
            #expect(summary["selected"] as? Int == 2, "\(fleetJSON)")
            #expect(summary["created"] as? Int == 1, "\(fleetJSON)")
            #expect(summary["skipped"] as? Int == 1, "the unknown vehicle is skipped: \(fleetJSON)")
            #expect((fleet["commands"] as? [[String: Any]])?.compactMap { $0["vehicle_id"] as? String } == ["robot-c"], "\(fleetJSON)")
        }
    }
}
