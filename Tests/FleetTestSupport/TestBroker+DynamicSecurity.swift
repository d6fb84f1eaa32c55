import Foundation

/// A broker whose accounts and rights live in Mosquitto's dynamic-security plugin, set up as `scripts/stack.sh` sets
/// up the local stack: the plugin's file made by `mosquitto_ctrl dynsec init`, the repository's service roles
/// (`config/mosquitto/dynsec/service-roles.json`) applied over `$CONTROL/dynamic-security/v1`, one client per account.
public struct DynamicSecurityBroker: Sendable {
    public static let plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"
    public static let adminUsername = "admin"

    public let broker: TestBroker
    /// The plugin's admin password.
    public let adminPassword: String
    /// username → password of every account made at start.
    public let passwords: [String: String]

    public var port: Int { broker.port }

    /// Starts the broker with a client for each `accounts` entry (username → role name of service-roles.json).
    public static func start(accounts: [String: String]) throws -> DynamicSecurityBroker {
        let adminPassword = randomSecret()
        let broker = try TestBroker { port, directory in
            let file = directory.appendingPathComponent("dynamic-security.json").path
            if !FileManager.default.fileExists(atPath: file) {
                guard try TestBroker.runTool("mosquitto_ctrl", ["dynsec", "init", file, adminUsername, adminPassword]) == 0 else {
                    throw DynamicSecurityError(description: "mosquitto_ctrl dynsec init failed")
                }
            }
            let lines = TestBroker.baseConfiguration(port: port, directory: directory)
                + ["allow_anonymous false", "plugin \(plugin)", "plugin_opt_config_file \(file)"]
            return lines.joined(separator: "\n") + "\n"
        }
        let roles = OpenAPIDocument.repositoryRoot.appendingPathComponent("config/mosquitto/dynsec/service-roles.json")
        let secured = DynamicSecurityBroker(broker: broker, adminPassword: adminPassword, passwords: [:])
        try secured.apply(file: roles)
        var passwords: [String: String] = [:]
        var commands: [[String: Any]] = []
        for (username, role) in accounts.sorted(by: { $0.key < $1.key }) {
            let password = randomSecret()
            passwords[username] = password
            commands.append(["command": "createClient", "username": username, "password": password, "roles": [["rolename": role]]])
        }
        if !commands.isEmpty { try secured.apply(commands: commands) }
        return DynamicSecurityBroker(broker: broker, adminPassword: adminPassword, passwords: passwords)
    }

    /// Publishes a command batch file as the plugin's admin (QoS 1: applied when `mosquitto_pub` returns).
    public func apply(file: URL) throws {
        let status = try TestBroker.runTool(
            "mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(port)", "-u", Self.adminUsername, "-P", adminPassword, "-q", "1", "-t", "$CONTROL/dynamic-security/v1", "-f", file.path])
        guard status == 0 else { throw DynamicSecurityError(description: "applying \(file.lastPathComponent) failed (mosquitto_pub exit \(status))\n\(broker.log)") }
    }

    /// Publishes `commands` as one batch (through a private file, so no password is on a command line).
    public func apply(commands: [[String: Any]]) throws {
        let file = broker.directory.appendingPathComponent("commands-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try JSONSerialization.data(withJSONObject: ["commands": commands]).write(to: file)
        try apply(file: file)
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

struct DynamicSecurityError: Error, CustomStringConvertible {
    var description: String
}
