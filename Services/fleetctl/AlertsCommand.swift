import ArgumentParser
import Foundation

/// `fleetctl alerts list|ack|resolve|tail`.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List, acknowledge, resolve and follow alerts (fleet-alerting API).",
        subcommands: [List.self, Ack.self, Resolve.self, Tail.self]
    )

    static func line(_ alert: [String: Any]) -> String {
        [
            alert.text("id").padding(toLength: 36, withPad: " ", startingAt: 0),
            alert.text("status").padding(toLength: 12, withPad: " ", startingAt: 0),
            alert.text("severity").padding(toLength: 8, withPad: " ", startingAt: 0),
            alert.text("vehicle_id").padding(toLength: 16, withPad: " ", startingAt: 0),
            alert.text("updated_at").padding(toLength: 24, withPad: " ", startingAt: 0),
            alert.text("summary"),
        ].joined(separator: " ")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alerts, most recently changed first.")
        @OptionGroup var api: AlertingAPIOptions
        @Option(help: "firing, acknowledged or resolved.") var status: String?
        @Option(help: "info, warning or critical.") var severity: String?
        @Option(help: "Only this vehicle.") var vehicle: String?
        @Option(help: "Only this rule.") var rule: String?
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            var query = ["limit=\(limit)"]
            if let status { query.append("status=\(status.urlComponent)") }
            if let severity { query.append("severity=\(severity.urlComponent)") }
            if let vehicle { query.append("vehicle_id=\(vehicle.urlComponent)") }
            if let rule { query.append("rule_id=\(rule.urlComponent)") }
            let result = try await api.client.call("GET", "/v1/alerts?" + query.joined(separator: "&"))
            if api.json { return emit(AlertingAPI.pretty(result)) }
            let alerts = (result as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            emit("ID                                   STATUS       SEVERITY VEHICLE          UPDATED                  SUMMARY")
            for alert in alerts { emit(AlertsCommand.line(alert)) }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an alert (stops its escalation).")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        @Option(help: "Who acknowledges.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "fleetctl"

        func run() async throws {
            let result = try await api.client.call("POST", "/v1/alerts/\(id.urlComponent)/ack", body: ["by": by])
            emit(api.json ? AlertingAPI.pretty(result) : AlertsCommand.line(result as? [String: Any] ?? [:]))
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an alert.")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        @Option(help: "Who resolves.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "fleetctl"

        func run() async throws {
            let result = try await api.client.call("POST", "/v1/alerts/\(id.urlComponent)/resolve", body: ["by": by])
            emit(api.json ? AlertingAPI.pretty(result) : AlertsCommand.line(result as? [String: Any] ?? [:]))
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow alert changes (polls the API) until interrupted.")
        @OptionGroup var api: AlertingAPIOptions
        @Option(help: "Poll interval in seconds.") var interval: Double = 1
        @Option(help: "Also show changes from this many seconds ago.") var since: Double = 60

        func run() async throws {
            let client = api.client
            var cursor = Date().addingTimeInterval(-since).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            while !Task.isCancelled {
                let result = try await client.call("GET", "/v1/alerts?limit=1000&updated_after=\(cursor)")
                for alert in (result as? [String: Any])?["alerts"] as? [[String: Any]] ?? [] {
                    emit(api.json ? AlertingAPI.pretty(alert) : AlertsCommand.line(alert))
                    cursor = alert.text("updated_at")
                }
                try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            }
        }
    }
}
