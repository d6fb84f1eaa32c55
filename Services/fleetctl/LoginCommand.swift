import ArgumentParser
import Foundation
import NIOHTTP1

/// `fleetctl login`: checks a token with the identity service and saves it for every later command and service.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save a token (and the services' URLs) for every later fleetctl command.",
        discussion: """
            The token is read from standard input unless --token is given (so it does not show in the process list):
              fleetctl tokens create ops --scope admin -o json | jq -r .token | fleetctl login
            It is checked with fleet-control first, then saved to \(FleetctlProfile.path.path) (mode 0600).
            """)

    @Option(help: "fleet-control base URL to save (default: FLEET_CONTROL_URL or http://127.0.0.1:8082).")
    var api: String = FleetctlProfile.environment["FLEET_CONTROL_URL"] ?? FleetctlProfile.current.controlURL ?? "http://127.0.0.1:8082"

    @Option(help: "fleet-alerting base URL to save.")
    var alerting: String?

    @Option(help: "fleet-tracking base URL to save.")
    var tracking: String?

    @Option(help: "fleet-health base URL to save.")
    var health: String?

    @Option(help: "fleet-routing base URL to save.")
    var routing: String?

    @Option(help: "The token; read from standard input when omitted.")
    var token: String?

    func run() async throws {
        var secret = token
        if secret == nil { secret = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) }
        guard let secret, !secret.isEmpty else {
            FileHandle.standardError.write(Data("error: no token given (pass --token or send it on standard input)\n".utf8))
            throw ExitCode(2)
        }
        let options = try ControlOptions.parse(["--api", api, "--token", secret])
        try await options.run {
            let reply = try await ControlClient(options: options).send(.GET, "/auth/introspect")
            let answer = reply.object
            guard answer["active"] as? Bool == true else {
                let reason = answer["fleet_reason"] as? String ?? "unknown"
                throw ControlCLIError(code: .unauthorized, message: "fleet-control at \(api) does not accept this token (\(reason))")
            }
            var profile = FleetctlProfile.current
            profile.token = secret
            profile.controlURL = api
            if let alerting { profile.alertingURL = alerting }
            if let tracking { profile.trackingURL = tracking }
            if let health { profile.healthURL = health }
            if let routing { profile.routingURL = routing }
            do {
                try profile.save()
            } catch {
                throw ControlCLIError(code: .failed, message: "cannot write \(FleetctlProfile.path.path): \(error)")
            }
            let name = answer["username"] as? String ?? "?"
            let id = answer["sub"] as? String ?? "?"
            print("Logged in as \(name) (\(id)), scopes: \(answer["scope"] as? String ?? ""); saved to \(FleetctlProfile.path.path)")
        }
    }
}

/// `fleetctl logout`: forgets the saved token.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the token saved by fleetctl login.")

    func run() async throws {
        let path = FleetctlProfile.path
        guard FileManager.default.fileExists(atPath: path.path) else {
            print("Not logged in (\(path.path) does not exist)")
            return
        }
        try FileManager.default.removeItem(at: path)
        print("Removed \(path.path)")
    }
}
