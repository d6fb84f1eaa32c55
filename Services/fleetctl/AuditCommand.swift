import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl audit`: the audit log, newest first (admin scope).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit log (needs an admin token).")

    @OptionGroup var control: ControlOptions
    @Option(help: "Only this action, e.g. command.create, fleet_command.create, token.create, token.revoke, tag.add.") var action: String?
    @Option(help: "Only this token id.") var actor: String?
    @Option(help: "How many entries.") var limit = 50

    func run() async throws {
        try await control.run {
            var query = ["limit=\(limit)"]
            if let action { query.append("action=\(action.urlComponent)") }
            if let actor { query.append("actor=\(actor.urlComponent)") }
            let reply = try await ControlClient(options: control).send(.GET, "/v1/audit?" + query.joined(separator: "&"))
            if control.output == .json { emit(reply.text); return }
            TableOutput.print(
                ["ID", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME", "FROM", "DETAILS"],
                (reply.object["entries"] as? [[String: Any]] ?? []).map { entry in
                    ["id", "at", "actor_name", "action", "target", "outcome", "remote_address", "details"].map { TableOutput.cell(entry[$0]) }
                }
            )
        }
    }
}
