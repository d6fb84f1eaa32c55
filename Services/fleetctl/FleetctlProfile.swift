import Foundation

/// What `fleetctl login` saves: one token for every service, and where the services are.
///
/// Kept in `$FLEET_CONFIG`, else `$XDG_CONFIG_HOME/fleet/fleetctl.json`, else `~/.config/fleet/fleetctl.json`, readable
/// by its owner only. Precedence everywhere: a command-line option, then the environment (`FLEET_TOKEN`,
/// `FLEET_CONTROL_URL`, `FLEET_ALERTING_URL`, `FLEET_TRACKING_URL`, `FLEET_HEALTH_URL`, `FLEET_ROUTING_URL`), then this file, then the loopback defaults.
struct FleetctlProfile: Codable, Sendable, Equatable {
    var token: String?
    var controlURL: String?
    var alertingURL: String?
    var trackingURL: String?
    var healthURL: String?
    var routingURL: String?

    enum CodingKeys: String, CodingKey {
        case token
        case controlURL = "control_url"
        case alertingURL = "alerting_url"
        case trackingURL = "tracking_url"
        case healthURL = "health_url"
        case routingURL = "routing_url"
    }

    static let environment = ProcessInfo.processInfo.environment

    /// Where the profile lives.
    static var path: URL {
        if let explicit = environment["FLEET_CONFIG"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return base.appendingPathComponent("fleet/fleetctl.json")
    }

    /// The saved profile, or an empty one.
    static let current: FleetctlProfile = {
        guard let data = try? Data(contentsOf: path), let profile = try? JSONDecoder().decode(FleetctlProfile.self, from: data) else {
            return FleetctlProfile()
        }
        return profile
    }()

    /// The token to send when no `--token` is given.
    static var token: String? {
        environment["FLEET_TOKEN"] ?? environment["FLEET_CONTROL_TOKEN"] ?? current.token
    }

    /// Writes the profile, creating its directory; the file is made readable by its owner only before the token is in it.
    func save() throws {
        let url = Self.path
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: try encoder.encode(self))
    }
}
