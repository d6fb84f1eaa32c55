import Configuration

/// Where a service's MQTT client connects, as plain values.
///
/// FleetService deliberately does not depend on the MQTT library; services pass these
/// values to their MQTT client.
///
/// ## Configuration keys
/// | Key | Environment variable | Default | Meaning |
/// |---|---|---|---|
/// | `fleet.mqtt.host` | `FLEET_MQTT_HOST` | `127.0.0.1` | Broker host name or IP. |
/// | `fleet.mqtt.port` | `FLEET_MQTT_PORT` | `11883` | Broker TCP port. |
/// | `fleet.mqtt.username` | `FLEET_MQTT_USERNAME` | unset (anonymous) | User name. |
/// | `fleet.mqtt.password` | `FLEET_MQTT_PASSWORD` | unset | Password (secret: redacted in access logs). |
/// | `fleet.mqtt.clientID` | `FLEET_MQTT_CLIENT_ID` | `<service>-<host name>` | MQTT client identifier; must be unique per connection. |
/// | `fleet.mqtt.tls` | `FLEET_MQTT_TLS` | `disable` | `disable` (plain TCP) or `require` (TLS; certificate and host name verified). |
/// | `fleet.mqtt.tlsCaFile` | `FLEET_MQTT_TLS_CA_FILE` | unset (system trust roots, `/etc/ssl/certs`) | PEM bundle the broker certificate is verified against instead. |
/// | `fleet.mqtt.sessionExpirySeconds` | `FLEET_MQTT_SESSION_EXPIRY_SECONDS` | `86400` | How long the broker keeps a service's persistent session after a disconnect. |
public struct MQTTConnectionSettings: Sendable, Equatable {
    /// Whether the broker connection is encrypted.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP: the broker is on the same host or private network.
        case disable
        /// TLS with the broker's certificate and host name verified; no fallback to plain TCP.
        case require
    }

    /// Broker host name or IP.
    public var host: String
    /// Broker TCP port.
    public var port: Int
    /// User name, or `nil` for anonymous access.
    public var username: String?
    /// Password, or `nil`.
    public var password: String?
    /// MQTT client identifier.
    public var clientID: String
    /// How long the broker keeps a service's persistent session (subscriptions and queued QoS 1 messages) after a
    /// disconnect. Keep it short for autoscaled replicas with generated ids: a dead replica's session keeps its share.
    public var sessionExpirySeconds: UInt32
    /// Transport security.
    public var tls: TLSMode
    /// PEM file of the certificate authorities that verify the broker, or `nil` for the system trust roots.
    public var tlsCAFile: String?

    /// Creates settings from explicit values; defaults match the development stack.
    public init(
        host: String = "127.0.0.1",
        port: Int = 11883,
        username: String? = nil,
        password: String? = nil,
        clientID: String,
        sessionExpirySeconds: UInt32 = 86_400,
        tls: TLSMode = .disable,
        tlsCAFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.clientID = clientID
        self.sessionExpirySeconds = sessionExpirySeconds
        self.tls = tls
        self.tlsCAFile = tlsCAFile
    }

    /// Reads `fleet.mqtt.*` (see the type documentation for keys and defaults).
    ///
    /// - Parameters:
    ///   - reader: The configuration reader.
    ///   - defaultClientID: Used when `FLEET_MQTT_CLIENT_ID` is unset; ``FleetConfiguration``
    ///     passes `<service>-<host name>` so replicas do not evict each other.
    /// - Throws: ``ConfigurationError`` when a value is present but malformed.
    public init(reader: ConfigReader, defaultClientID: String) throws {
        self.host = try reader.fleetString("fleet.mqtt.host", default: "127.0.0.1")
        self.port = try reader.fleetInt("fleet.mqtt.port", default: 11883, range: 1...65_535)
        self.username = reader.fleetOptionalString("fleet.mqtt.username")
        self.password = reader.fleetOptionalString("fleet.mqtt.password", isSecret: true)
        self.clientID = try reader.fleetString("fleet.mqtt.clientID", default: defaultClientID)
        self.sessionExpirySeconds = UInt32(
            try reader.fleetInt("fleet.mqtt.sessionExpirySeconds", default: 86_400, range: 0...Int(UInt32.max)))
        self.tls = try reader.fleetEnum("fleet.mqtt.tls", default: .disable)
        self.tlsCAFile = try reader.fleetReadableFile("fleet.mqtt.tlsCaFile")
    }
}

extension MQTTConnectionSettings: CustomStringConvertible {
    /// A description safe to log: the password is never included.
    public var description: String {
        "\(tls == .require ? "mqtts" : "mqtt")://\(username.map { "\($0)@" } ?? "")\(host):\(port) (client \(clientID))"
    }
}
