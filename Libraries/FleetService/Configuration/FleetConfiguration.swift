import Configuration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything a Fleet service reads at start-up, in one value.
///
/// Each part documents its own keys: ``HTTPServerConfiguration``, ``PostgresConfiguration``,
/// ``MQTTConnectionSettings``, ``LogConfiguration`` and ``AuthConfiguration``. `docs/configuration.md` lists them all.
/// Services that do not use PostgreSQL or MQTT simply ignore those parts; reading them is free.
public struct FleetConfiguration: Sendable, Equatable {
    /// The service's name, used as logger label, HTTP `Server` header and MQTT client ID prefix.
    public var serviceName: String
    /// HTTP server settings.
    public var http: HTTPServerConfiguration
    /// PostgreSQL settings.
    public var postgres: PostgresConfiguration
    /// MQTT broker settings.
    public var mqtt: MQTTConnectionSettings
    /// Logging settings.
    public var log: LogConfiguration
    /// How callers are authenticated.
    public var auth: AuthConfiguration

    /// Creates a configuration from explicit values.
    public init(
        serviceName: String,
        http: HTTPServerConfiguration = .init(),
        postgres: PostgresConfiguration = .init(),
        mqtt: MQTTConnectionSettings? = nil,
        log: LogConfiguration = .init(),
        auth: AuthConfiguration = .init()
    ) {
        self.serviceName = serviceName
        self.http = http
        self.postgres = postgres
        self.mqtt = mqtt ?? MQTTConnectionSettings(clientID: serviceName)
        self.log = log
        self.auth = auth
    }

    /// Reads every `fleet.*` key.
    ///
    /// - Parameters:
    ///   - serviceName: The service's name (for example `telemetry-ingest`).
    ///   - reader: Usually ``environmentReader()``; tests pass an `InMemoryProvider`-backed reader.
    ///   - defaultHTTPPort: The port this service listens on when `FLEET_HTTP_PORT` is unset.
    /// - Throws: ``ConfigurationError`` when a value is present but malformed.
    public init(serviceName: String, reader: ConfigReader, defaultHTTPPort: Int = HTTPServerConfiguration.defaultPort) throws {
        self.serviceName = serviceName
        self.http = try HTTPServerConfiguration(reader: reader, defaultPort: defaultHTTPPort)
        self.postgres = try PostgresConfiguration(reader: reader)
        self.mqtt = try MQTTConnectionSettings(
            reader: reader,
            defaultClientID: "\(serviceName)-\(Self.hostName())"
        )
        self.log = try LogConfiguration(reader: reader)
        self.auth = try AuthConfiguration(reader: reader)
    }

    /// The machine's host name (the pod name in Kubernetes), without a DNS lookup.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }

    /// A reader over the process environment, with the password variables marked secret
    /// so configuration access logs never print them.
    public static func environmentReader() -> ConfigReader {
        ConfigReader(
            provider: EnvironmentVariablesProvider(
                secretsSpecifier: .specific(["FLEET_POSTGRES_PASSWORD", "FLEET_MQTT_PASSWORD", "FLEET_CONTROL_ADMIN_TOKEN", "FLEET_CONTROL_PROVISIONER_PASSWORD", "FLEET_TOKEN"])
            )
        )
    }
}
