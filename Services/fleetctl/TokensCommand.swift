import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl tokens create|revoke|list` (admin scope).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API tokens (needs an admin token).",
        subcommands: [Create.self, Revoke.self, List.self]
    )

    static let headers = ["TOKEN", "NAME", "SCOPES", "CREATED", "REVOKED"]

    static func row(_ token: [String: Any]) -> [String] {
        [TableOutput.cell(token["id"]), TableOutput.cell(token["name"]), TableOutput.cell(token["scopes"]), TableOutput.cell(token["created_at"]), TableOutput.cell(token["revoked_at"])]
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; its secret is printed once.")
        @OptionGroup var control: ControlOptions
        @Option(help: "A name for the token (who or what uses it).") var name: String
        @Option(
            name: .customLong("scope"),
            help: "fleet:read, telemetry:write, commands:write, geofences:write, alerts:write, webhooks:admin, routes:write or admin; repeat for several."
        ) var scopes: [String]
        @Option(help: "Restrict the token to this vehicle (its HTTP telemetry only).") var vehicle: String?
        @Option(help: "The token's own rate limit in requests per second (burst twice that); default: each service's.") var rateLimit: Int?

        func run() async throws {
            try await control.run {
                var body: [String: Any] = ["name": name, "scopes": scopes]
                if let vehicle { body["vehicle_id"] = vehicle }
                if let rateLimit { body["rate_limit"] = ["per_second": rateLimit, "burst": 2 * rateLimit] }
                let reply = try await ControlClient(options: control).send(.POST, "/v1/tokens", json: body)
                if control.output == .json { emit(reply.text); return }
                TableOutput.print(TokensCommand.headers, [TokensCommand.row(reply.object)])
                emit("")
                emit("secret (shown only now): \(TableOutput.cell(reply.object["token"]))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "Token id (tok_…).") var id: String

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.DELETE, "/v1/tokens/\(id.urlComponent)")
                emit(control.output == .json ? reply.text : "revoked \(id)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var control: ControlOptions

        func run() async throws {
            try await control.run {
                let reply = try await ControlClient(options: control).send(.GET, "/v1/tokens")
                if control.output == .json { emit(reply.text); return }
                TableOutput.print(TokensCommand.headers, (reply.object["tokens"] as? [[String: Any]] ?? []).map(TokensCommand.row))
            }
        }
    }
}
