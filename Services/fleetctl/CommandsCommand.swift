import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl commands get|wait <id>`: one command's lifecycle.
struct CommandsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands",
        abstract: "Inspect commands and wait for their acknowledgement.",
        subcommands: [Get.self, Wait.self, History.self]
    )

    static let headers = ["COMMAND", "VEHICLE", "ACTION", "STATUS", "REASON", "UPDATED"]

    static func row(_ command: [String: Any]) -> [String] {
        [
            TableOutput.cell(command["id"]), TableOutput.cell(command["vehicle_id"]), TableOutput.cell(command["action"]),
            TableOutput.cell(command["status"]), TableOutput.cell(command["status_reason"] ?? command["reason"]),
            TableOutput.cell(command["updated_at"]),
        ]
    }

    static let waiting: Set<String> = ["pending", "sent"]

    /// Long-polls every command until it leaves pending/sent or `seconds` pass; 16 at a time.
    static func waitForAnswers(_ commands: [[String: Any]], client: ControlClient, seconds: Double) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        var results = commands
        let open: [(position: Int, id: String)] = commands.enumerated().compactMap { position, command in
            guard waiting.contains(command["status"] as? String ?? ""), let id = command["id"] as? String else { return nil }
            return (position, id)
        }
        var next = 0
        while next < open.count {
            let batch = open[next..<min(next + 16, open.count)]
            next += batch.count
            try await withThrowingTaskGroup(of: (Int, [UInt8]?).self) { group in
                for (position, id) in batch {
                    group.addTask { (position, try await answer(id, client: client, deadline: deadline)) }
                }
                for try await (position, body) in group {
                    if let body, let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] { results[position] = object }
                }
            }
        }
        return results
    }

    /// The body of the last `GET /v1/commands/{id}?wait=` before the command left pending/sent or the deadline passed.
    static func answer(_ id: String, client: ControlClient, deadline: Date) async throws -> [UInt8]? {
        var body: [UInt8]?
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return body }
            let hold = min(remaining, 25)
            // The server may hold the request for `hold`: the request's own timeout must outlast it.
            let reply = try await client.send(
                .GET, "/v1/commands/\(id.urlComponent)?wait=\(Int(hold * 1000))ms", timeout: max(client.options.requestTimeout, hold + 5))
            body = reply.body
            if !waiting.contains(reply.object["status"] as? String ?? "") { return body }
        }
    }

    /// Exit 1 if any command was refused, failed or expired; 7 if any is still waiting after a wait.
    static func checkOutcome(_ commands: [[String: Any]], waited: Bool) throws {
        let statuses = commands.compactMap { $0["status"] as? String }
        let bad = statuses.filter { ["rejected", "failed", "expired"].contains($0) }.count
        if bad > 0 { throw ControlCLIError(code: .failed, message: "\(bad) of \(statuses.count) commands were rejected, failed or expired") }
        let unanswered = statuses.filter { waiting.contains($0) }.count
        if waited, unanswered > 0 {
            throw ControlCLIError(code: .timedOut, message: "\(unanswered) of \(statuses.count) commands were not answered in time")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a command and its transitions.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Command id.") var id: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.GET, "/v1/commands/\(id.urlComponent)")
                CommandsCommand.show(reply, control: control)
            }
        }
    }

    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait until a command is answered.",
            discussion: "Exit status 0 when acknowledged or completed, 1 if rejected, failed or expired, 7 if still unanswered after --timeout."
        )
        @OptionGroup var control: ControlOptions
        @Argument(help: "Command id.") var id: String
        @Option(help: "Seconds to wait.") var timeout: Double = 30

        func run() async throws {
            try await control.run {
                let client = ControlClient(options: control)
                let first = try await client.send(.GET, "/v1/commands/\(id.urlComponent)").object
                let answered = try await CommandsCommand.waitForAnswers([first], client: client, seconds: timeout)
                if control.output == .json {
                    emit(String(decoding: try JSONSerialization.data(withJSONObject: answered[0], options: [.sortedKeys]), as: UTF8.self))
                } else {
                    TableOutput.print(CommandsCommand.headers, answered.map(CommandsCommand.row))
                }
                try CommandsCommand.checkOutcome(answered, waited: true)
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A vehicle's commands, newest first.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Vehicle id.") var vehicle: String
        @Option(help: "How many.") var limit = 50

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.GET, "/v1/vehicles/\(vehicle.urlComponent)/commands?limit=\(limit)")
                if control.output == .json { emit(reply.text); return }
                TableOutput.print(CommandsCommand.headers, (reply.object["commands"] as? [[String: Any]] ?? []).map(CommandsCommand.row))
            }
        }
    }

    static func show(_ reply: ControlClient.Reply, control: ControlOptions) {
        if control.output == .json { emit(reply.text); return }
        let command = reply.object
        TableOutput.print(headers, [row(command)])
        emit("")
        TableOutput.print(
            ["TRANSITION", "AT", "REASON"],
            (command["transitions"] as? [[String: Any]] ?? []).map { [TableOutput.cell($0["status"]), TableOutput.cell($0["at"]), TableOutput.cell($0["reason"])] }
        )
    }
}
