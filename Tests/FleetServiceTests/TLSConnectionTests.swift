import Configuration
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// Transport security to the two things every service depends on, against real servers: the local stack's PostgreSQL
/// (which `scripts/stack.sh` runs with a certificate from its own CA, as Amazon RDS signs with its own) and a Mosquitto
/// with a TLS listener and a certificate made here. What a cluster deployment sets: `FLEET_POSTGRES_TLS=require` with
/// `FLEET_POSTGRES_TLS_CA_FILE`, `FLEET_MQTT_TLS=require` with `FLEET_MQTT_TLS_CA_FILE`.
@Suite("TLS to PostgreSQL and the broker", .timeLimit(.minutes(2)))
struct TLSConnectionTests {
    let logger = Logger(label: "test.tls")

    /// The variables read the way a service reads them (environment variable names included).
    @Test("FLEET_*_TLS and FLEET_*_TLS_CA_FILE are read from the environment; a CA file that is not there is refused")
    func configuration() throws {
        let bundle = try CertificateAuthority.make().caFile
        let environment = [
            "FLEET_POSTGRES_TLS": "require", "FLEET_POSTGRES_TLS_CA_FILE": bundle,
            "FLEET_MQTT_TLS": "require", "FLEET_MQTT_TLS_CA_FILE": bundle,
        ]
        let configuration = try FleetConfiguration(
            serviceName: "tls-test", reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)),
            defaultHTTPPort: 8081)
        #expect(configuration.postgres.tls == .require)
        #expect(configuration.postgres.tlsCAFile == bundle)
        #expect(configuration.mqtt.tls == .require)
        #expect(configuration.mqtt.tlsCAFile == bundle)
        #expect(configuration.mqtt.clientConfiguration(metricsLabel: "t").tls?.caFile == bundle)
        #expect("\(configuration.mqtt)".hasPrefix("mqtts://"))

        // Unset: plain MQTT; TLS without a bundle trusts the system's certificate directory.
        let plain = try FleetConfiguration(
            serviceName: "tls-test", reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: [:])),
            defaultHTTPPort: 8081)
        #expect(plain.mqtt.clientConfiguration(metricsLabel: "t").tls == nil)
        #expect(plain.postgres.tlsCAFile == nil)
        var system = plain.mqtt
        system.tls = .require
        #expect(system.clientConfiguration(metricsLabel: "t").tls?.caPath == "/etc/ssl/certs")

        for variable in ["FLEET_POSTGRES_TLS_CA_FILE", "FLEET_MQTT_TLS_CA_FILE"] {
            let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: [variable: "/nonexistent/ca.pem"]))
            #expect(throws: ConfigurationError.self) {
                try FleetConfiguration(serviceName: "tls-test", reader: reader, defaultHTTPPort: 8081)
            }
        }
        #expect(throws: ConfigurationError.self) {
            try FleetConfiguration(
                serviceName: "tls-test",
                reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: ["FLEET_MQTT_TLS": "prefer"])),
                defaultHTTPPort: 8081)
        }
    }

    @Test(
        "PostgreSQL: require + the server's CA connects encrypted; require with the system roots or another CA does not",
        .enabled(if: TestPostgres.isConfigured && ProcessInfo.processInfo.environment["FLEET_STACK_POSTGRES_CA_FILE"] != nil))
    func postgres() async throws {
        var configuration = try PostgresConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        configuration.tls = .require
        configuration.connectTimeout = .seconds(3)
        configuration.tlsCAFile = ProcessInfo.processInfo.environment["FLEET_STACK_POSTGRES_CA_FILE"]
        let encrypted = try await withClient(configuration) { client in
            try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").collect().first?.decode(Bool.self)
        }
        #expect(encrypted == true)

        // Debian's trust roots do not hold the stack's CA (nor Amazon RDS's): verification must fail, not fall back.
        configuration.tlsCAFile = nil
        #expect(try await readinessFailure(configuration) != nil)
        configuration.tlsCAFile = try CertificateAuthority.make().caFile
        #expect(try await readinessFailure(configuration) != nil)
    }

    @Test("MQTT: require + the broker's CA connects and delivers; the system roots and plain TCP do not")
    func mqtt() async throws {
        let authority = try CertificateAuthority.make()
        let broker = try tlsBroker(authority)
        func settings(tls: MQTTConnectionSettings.TLSMode, caFile: String?) -> MQTTConfiguration {
            clientConfiguration(broker, tls: tls, caFile: caFile)
        }

        let received = try await MQTTClient.withConnection(
            configuration: settings(tls: .require, caFile: authority.caFile), logger: logger
        ) { client -> String? in
            let subscription = try await client.subscribe(to: "fleet/v1/vehicles/+/telemetry", qos: .atLeastOnce)
            try await client.publish("over tls", to: "fleet/v1/vehicles/tls-1/telemetry", qos: .atLeastOnce)
            for await message in subscription { return message.payloadString }
            return nil
        }
        #expect(received == "over tls")

        for refused in [settings(tls: .require, caFile: nil), settings(tls: .disable, caFile: nil)] {
            await #expect(throws: (any Error).self) {
                try await MQTTClient.withConnection(configuration: refused, logger: logger, connectTimeout: .seconds(2)) { _ in }
            }
        }
    }

    @Test("MQTT: a certificate of our CA for another host name is refused, and only for its name")
    func mqttHostName() async throws {
        let authority = try CertificateAuthority.make()
        let broker = try tlsBroker(authority, subjectAltName: "DNS:broker.elsewhere.invalid")
        var configuration = clientConfiguration(broker, tls: .require, caFile: authority.caFile)
        await #expect(throws: (any Error).self) {
            try await MQTTClient.withConnection(configuration: configuration, logger: logger, connectTimeout: .seconds(2)) { _ in }
        }
        // The same connection without the host-name check succeeds: the name was the only reason.
        configuration.tls?.insecureSkipHostnameVerification = true
        let connected = try await MQTTClient.withConnection(configuration: configuration, logger: logger) { client in
            client.isConnected
        }
        #expect(connected)
    }

    /// A Mosquitto whose only listener speaks TLS with a certificate of `authority` for `subjectAltName`.
    private func tlsBroker(
        _ authority: CertificateAuthority, subjectAltName: String = "IP:127.0.0.1,DNS:localhost"
    ) throws -> TestBroker {
        try TestBroker { port, directory in
            try authority.issueServerCertificate(in: directory, subjectAltName: subjectAltName)
            return (TestBroker.baseConfiguration(port: port, directory: directory) + [
                "cafile \(authority.caFile)",
                "certfile \(directory.path)/server.pem",
                "keyfile \(directory.path)/server.key",
                "allow_anonymous true",
            ]).joined(separator: "\n") + "\n"
        }
    }

    /// What a service would connect to `broker` with (127.0.0.1), reconnecting quickly.
    private func clientConfiguration(
        _ broker: TestBroker, tls: MQTTConnectionSettings.TLSMode, caFile: String?
    ) -> MQTTConfiguration {
        var configuration = MQTTConnectionSettings(
            host: "127.0.0.1", port: broker.port, clientID: "tls-\(UUID().uuidString.prefix(8))", tls: tls, tlsCAFile: caFile
        ).clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "test")
        configuration.reconnectDelayMin = .milliseconds(50)
        configuration.reconnectDelayMax = .milliseconds(200)
        return configuration
    }

    private func withClient<Result: Sendable>(
        _ configuration: PostgresConfiguration, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: silentLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            if let reason = await ReadinessCheck.postgres(client, timeout: .seconds(10)).evaluate() {
                throw PostgresUnreachable(reason: reason)
            }
            return try await body(client)
        }
    }

    private func readinessFailure(_ configuration: PostgresConfiguration) async throws -> String? {
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: silentLogger)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return await ReadinessCheck.postgres(client, timeout: .seconds(3)).evaluate()
        }
    }
}

struct PostgresUnreachable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "PostgreSQL over TLS is unreachable: \(reason)" }
}

/// A throw-away certificate authority made with `openssl`, and server certificates for 127.0.0.1 and localhost.
struct CertificateAuthority {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    private var caKey: String { directory.appendingPathComponent("ca.key").path }

    static func make() throws -> CertificateAuthority {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = CertificateAuthority(directory: directory)
        try openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Fleet test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", authority.caKey, "-out", authority.caFile,
        ])
        return authority
    }

    /// Writes `server.pem` and `server.key` into `target`, signed by this authority, for the names in `subjectAltName`.
    func issueServerCertificate(in target: URL, subjectAltName: String = "IP:127.0.0.1,DNS:localhost") throws {
        let key = target.appendingPathComponent("server.key").path
        let request = target.appendingPathComponent("server.csr").path
        let extensions = target.appendingPathComponent("server.ext")
        try "subjectAltName=\(subjectAltName)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(to: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=fleet-test-server", "-keyout", key, "-out", request])
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial", "-days", "2",
            "-extfile", extensions.path, "-out", target.appendingPathComponent("server.pem").path,
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let status = try TestBroker.runTool("openssl", arguments)
        guard status == 0 else { throw CertificateError(arguments: arguments, status: status) }
    }

    struct CertificateError: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var description: String { "openssl \(arguments.joined(separator: " ")) exited with \(status)" }
    }
}
