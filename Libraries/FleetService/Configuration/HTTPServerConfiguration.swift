import Configuration
import Foundation
import Hummingbird

/// Where a service's HTTP server listens and how large request bodies may be.
///
/// ## Configuration keys
/// | Key | Environment variable | Default | Meaning |
/// |---|---|---|---|
/// | `fleet.http.host` | `FLEET_HTTP_HOST` | `127.0.0.1` | Interface to bind; use `0.0.0.0` in containers. |
/// | `fleet.http.port` | `FLEET_HTTP_PORT` | service-specific (`defaultPort`, 8080 if unspecified) | TCP port, 1...65535 (0 = ephemeral, for tests). |
/// | `fleet.http.maxBodyBytes` | `FLEET_HTTP_MAX_BODY_BYTES` | `1048576` (1 MiB) | Largest accepted request body. |
/// | `fleet.http.corsOrigins` | `FLEET_HTTP_CORS_ORIGINS` | empty (no cross-origin access) | Comma-separated origins (`http://host:port`) whose pages may call this service from a browser (the operator console). |
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// Interface to bind to.
    public var host: String
    /// TCP port to bind to.
    public var port: Int
    /// Largest request body accepted by ``RequestBodyLimitMiddleware``.
    public var maxBodyBytes: Int
    /// Origins whose pages may call this service from a browser (``AllowedOriginsCORSMiddleware``); empty: none.
    public var corsOrigins: [String]

    /// Default interface: loopback, so a service never listens publicly by accident.
    public static let defaultHost = "127.0.0.1"
    /// Port used when neither the environment nor the service chooses one.
    public static let defaultPort = 8080
    /// Default request body limit (1 MiB).
    public static let defaultMaxBodyBytes = 1 << 20

    /// Creates a configuration from explicit values.
    public init(
        host: String = Self.defaultHost,
        port: Int = Self.defaultPort,
        maxBodyBytes: Int = Self.defaultMaxBodyBytes,
        corsOrigins: [String] = []
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.corsOrigins = corsOrigins
    }

    /// Reads `fleet.http.*` (see the type documentation for keys and defaults).
    ///
    /// - Parameters:
    ///   - reader: The configuration reader, usually backed by `EnvironmentVariablesProvider`.
    ///   - defaultPort: The port this service uses when `FLEET_HTTP_PORT` is unset.
    /// - Throws: ``ConfigurationError`` when a value is present but malformed.
    public init(reader: ConfigReader, defaultPort: Int = Self.defaultPort) throws {
        self.host = try reader.fleetString("fleet.http.host", default: Self.defaultHost)
        self.port = try reader.fleetInt("fleet.http.port", default: defaultPort, range: 0...65_535)
        self.maxBodyBytes = try reader.fleetInt(
            "fleet.http.maxBodyBytes",
            default: Self.defaultMaxBodyBytes,
            range: 1...Int(Int32.max)
        )
        let origins = reader.fleetOptionalString("fleet.http.corsOrigins") ?? ""
        self.corsOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for origin in corsOrigins {
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                url.path.isEmpty, url.query == nil
            else {
                throw ConfigurationError(
                    key: "fleet.http.corsOrigins", reason: "each origin must be scheme://host[:port] without a path (got \(origin))")
            }
        }
    }

    /// The Hummingbird configuration binding ``host``:``port``.
    ///
    /// - Parameter serverName: Sent as the `Server` response header when set.
    public func applicationConfiguration(serverName: String? = nil) -> ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: serverName)
    }
}
