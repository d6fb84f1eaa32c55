import ArgumentParser
import Foundation

/// `fleetctl webhooks list|create|delete|rotate|test|deliveries|replay|receive`.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage webhook subscriptions of fleet-alerting, or run a demo receiver.",
        subcommands: [List.self, Create.self, Delete.self, Rotate.self, Test.self, Deliveries.self, Replay.self, WebhooksReceive.self]
    )

    static func line(_ webhook: [String: Any]) -> String {
        let types = (webhook["event_types"] as? [String]).map { $0.isEmpty ? "all" : $0.joined(separator: ",") } ?? "all"
        return [
            webhook.text("id").padding(toLength: 36, withPad: " ", startingAt: 0),
            (webhook["enabled"] as? Bool == false ? "disabled" : "enabled").padding(toLength: 9, withPad: " ", startingAt: 0),
            webhook.text("min_severity").padding(toLength: 8, withPad: " ", startingAt: 0),
            types.padding(toLength: 30, withPad: " ", startingAt: 0),
            webhook.text("url"),
        ].joined(separator: " ")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List subscriptions.")
        @OptionGroup var api: AlertingAPIOptions
        func run() async throws {
            let result = try await api.client.call("GET", "/v1/webhooks")
            if api.json { return emit(AlertingAPI.pretty(result)) }
            emit("ID                                   STATE     MIN-SEV  EVENTS                         URL")
            for webhook in (result as? [String: Any])?["webhooks"] as? [[String: Any]] ?? [] { emit(WebhooksCommand.line(webhook)) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a subscription; prints its signing secret (shown once).")
        @OptionGroup var api: AlertingAPIOptions
        @Argument(help: "Destination URL.") var url: String
        @Option(name: .customLong("event"), help: "alert.firing, alert.acknowledged, alert.resolved, alert.escalated (repeatable; default all).")
        var events: [String] = []
        @Option(help: "Lowest alert severity sent.") var minSeverity = "info"
        @Option(name: .customLong("header"), help: "Custom header 'Name: value' (repeatable).") var headers: [String] = []
        @Option(help: "Description.") var description = ""

        func run() async throws {
            var headerMap: [String: String] = [:]
            for header in headers {
                guard let colon = header.firstIndex(of: ":") else { throw FleetctlError("--header must be 'Name: value'") }
                headerMap[String(header[..<colon]).trimmingCharacters(in: .whitespaces)] =
                    String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            let body: [String: Any] = [
                "url": url, "event_types": events, "min_severity": minSeverity, "headers": headerMap, "description": description,
            ]
            let result = try await api.client.call("POST", "/v1/webhooks", body: body) as? [String: Any] ?? [:]
            if api.json { return emit(AlertingAPI.pretty(result)) }
            emit(WebhooksCommand.line(result))
            emit("secret: \(result.text("secret"))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a subscription.")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        func run() async throws {
            try await api.client.call("DELETE", "/v1/webhooks/\(id.urlComponent)")
            emit("deleted \(id)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rotate the signing secret; prints the new one.")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        func run() async throws {
            let result = try await api.client.call("POST", "/v1/webhooks/\(id.urlComponent)/rotate") as? [String: Any] ?? [:]
            emit(api.json ? AlertingAPI.pretty(result) : "secret: \(result.text("secret"))")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a signed test ping.")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        func run() async throws {
            let result = try await api.client.call("POST", "/v1/webhooks/\(id.urlComponent)/test") as? [String: Any] ?? [:]
            emit(api.json ? AlertingAPI.pretty(result) : "queued \(result.text("id"))")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent deliveries with status codes.")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        @Option(help: "pending, delivering, delivered or dead.") var status: String?
        @Option var limit = 50
        func run() async throws {
            let query = "?limit=\(limit)" + (status.map { "&status=\($0)" } ?? "")
            let result = try await api.client.call("GET", "/v1/webhooks/\(id.urlComponent)/deliveries\(query)")
            if api.json { return emit(AlertingAPI.pretty(result)) }
            emit("DELIVERY (webhook-id)                 STATUS     ATTEMPTS CODE  TYPE               CREATED                  ERROR")
            for d in (result as? [String: Any])?["deliveries"] as? [[String: Any]] ?? [] {
                emit(
                    [
                        d.text("id").padding(toLength: 37, withPad: " ", startingAt: 0),
                        d.text("status").padding(toLength: 10, withPad: " ", startingAt: 0),
                        d.text("attempts").padding(toLength: 8, withPad: " ", startingAt: 0),
                        d.text("last_status_code").padding(toLength: 5, withPad: " ", startingAt: 0),
                        d.text("event_type").padding(toLength: 18, withPad: " ", startingAt: 0),
                        d.text("created_at").padding(toLength: 24, withPad: " ", startingAt: 0),
                        d.text("last_error"),
                    ].joined(separator: " "))
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requeue dead letters (all, or the given delivery ids).")
        @OptionGroup var api: AlertingAPIOptions
        @Argument var id: String
        @Argument(help: "Delivery ids (default: every dead letter).") var deliveries: [String] = []
        func run() async throws {
            let body: [String: Any]? = deliveries.isEmpty ? nil : ["delivery_ids": deliveries]
            let result = try await api.client.call("POST", "/v1/webhooks/\(id.urlComponent)/replay", body: body) as? [String: Any]
            emit("replayed \(result?.text("replayed") ?? "0")")
        }
    }
}
