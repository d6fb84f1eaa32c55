import Configuration
import PostgresNIO

/// How a service reaches PostgreSQL.
///
/// ## Configuration keys
/// | Key | Environment variable | Default | Meaning |
/// |---|---|---|---|
/// | `fleet.postgres.host` | `FLEET_POSTGRES_HOST` | `127.0.0.1` | Server host name or IP. |
/// | `fleet.postgres.port` | `FLEET_POSTGRES_PORT` | `15432` | Server TCP port. |
/// | `fleet.postgres.user` | `FLEET_POSTGRES_USER` | `fleet` | Role to log in as. |
/// | `fleet.postgres.password` | `FLEET_POSTGRES_PASSWORD` | `fleet` | Password (secret: redacted in access logs). |
/// | `fleet.postgres.database` | `FLEET_POSTGRES_DATABASE` | `fleet` | Database name. |
/// | `fleet.postgres.poolSize` | `FLEET_POSTGRES_POOL_SIZE` | `10` | Maximum pooled connections, 1...1000. |
/// | `fleet.postgres.tls` | `FLEET_POSTGRES_TLS` | `disable` | `disable`, `prefer` or `require` (certificate and host name verified). |
/// | `fleet.postgres.tlsCaFile` | `FLEET_POSTGRES_TLS_CA_FILE` | unset (system trust roots) | PEM bundle the server certificate is verified against instead, e.g. the Amazon RDS bundle. |
/// | `fleet.postgres.connectTimeoutSeconds` | `FLEET_POSTGRES_CONNECT_TIMEOUT_SECONDS` | `10` | Connection establishment timeout. |
public struct PostgresConfiguration: Sendable, Equatable {
    /// Whether the connection is encrypted.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (the default: the Fleet database runs next to the services).
        case disable
        /// Use TLS when the server offers it, otherwise plain TCP.
        case prefer
        /// Refuse to connect without TLS; the certificate and host name are verified against the system trust roots or
        /// ``PostgresConfiguration/tlsCAFile``.
        case require
    }

    /// Server host name or IP.
    public var host: String
    /// Server TCP port.
    public var port: Int
    /// Role to log in as.
    public var username: String
    /// Password for ``username``.
    public var password: String
    /// Database name.
    public var database: String
    /// Maximum number of pooled connections.
    public var poolSize: Int
    /// Transport security.
    public var tls: TLSMode
    /// Connection establishment timeout.
    public var connectTimeout: Duration
    /// PEM file of the certificate authorities that verify the server, or `nil` for the system trust roots. Managed
    /// databases often sign with a private CA (Amazon RDS does) that Debian's `ca-certificates` does not hold.
    public var tlsCAFile: String?

    /// Creates a configuration from explicit values; defaults match the development stack.
    public init(
        host: String = "127.0.0.1",
        port: Int = 15432,
        username: String = "fleet",
        password: String = "fleet",
        database: String = "fleet",
        poolSize: Int = 10,
        tls: TLSMode = .disable,
        connectTimeout: Duration = .seconds(10),
        tlsCAFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.tlsCAFile = tlsCAFile
    }

    /// Reads `fleet.postgres.*` (see the type documentation for keys and defaults).
    ///
    /// - Throws: ``ConfigurationError`` when a value is present but malformed.
    public init(reader: ConfigReader) throws {
        let defaults = Self()
        self.host = try reader.fleetString("fleet.postgres.host", default: defaults.host)
        self.port = try reader.fleetInt("fleet.postgres.port", default: defaults.port, range: 1...65_535)
        self.username = try reader.fleetString("fleet.postgres.user", default: defaults.username)
        self.password = reader.string(forKey: "fleet.postgres.password", isSecret: true, default: defaults.password)
        self.database = try reader.fleetString("fleet.postgres.database", default: defaults.database)
        self.poolSize = try reader.fleetInt("fleet.postgres.poolSize", default: defaults.poolSize, range: 1...1000)
        self.tls = try reader.fleetEnum("fleet.postgres.tls", default: defaults.tls)
        let timeout = try reader.fleetInt("fleet.postgres.connectTimeoutSeconds", default: 10, range: 1...600)
        self.connectTimeout = .seconds(timeout)
        self.tlsCAFile = try reader.fleetReadableFile("fleet.postgres.tlsCaFile")
    }

    /// The PostgresNIO client configuration for these settings.
    ///
    /// The pool keeps no idle connections open (`minimumConnections = 0`) and
    /// at most ``poolSize``. With `searchPath` (a schema name), every connection resolves unqualified names in that
    /// schema, which is what lets a service's prepared statements (whose SQL is fixed) work in any configured schema.
    public func clientConfiguration(searchPath: String? = nil) -> PostgresClient.Configuration {
        var verification = TLSConfiguration.makeClientConfiguration()
        if let tlsCAFile { verification.trustRoots = .file(tlsCAFile) }
        let tlsConfiguration: PostgresClient.Configuration.TLS
        switch tls {
        case .disable:
            tlsConfiguration = .disable
        case .prefer:
            tlsConfiguration = .prefer(verification)
        case .require:
            tlsConfiguration = .require(verification)
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tlsConfiguration
        )
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = connectTimeout
        if let searchPath { configuration.options.additionalStartupParameters.append(("search_path", searchPath)) }
        return configuration
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    /// A description safe to log: the password is never included.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database) (pool \(poolSize), tls \(tls.rawValue)"
            + (tlsCAFile.map { ", ca \($0)" } ?? "") + ")"
    }
}
