import FleetMQTT

extension MQTTConnectionSettings {
    /// The FleetMQTT client configuration for these settings.
    ///
    /// Services consume with a persistent session (`cleanStart: false` and a session expiry), so
    /// QoS 1 messages published while a replica restarts wait for it in the broker.
    ///
    /// - Parameters:
    ///   - cleanStart: Start a new session instead of resuming the stored one.
    ///   - sessionExpirySeconds: How long the broker keeps the session after a disconnect; `nil`: the configured
    ///     ``sessionExpirySeconds`` (`FLEET_MQTT_SESSION_EXPIRY_SECONDS`).
    ///   - will: The last will, if any.
    ///   - metricsLabel: The bounded `client` label of FleetMQTT's metrics, usually the service name.
    public func clientConfiguration(
        cleanStart: Bool = false,
        sessionExpirySeconds: UInt32? = nil,
        will: MQTTConfiguration.Will? = nil,
        metricsLabel: String
    ) -> MQTTConfiguration {
        MQTTConfiguration(
            host: host,
            port: port,
            clientID: clientID,
            username: username,
            password: password,
            tls: tlsConfiguration,
            cleanStart: cleanStart,
            sessionExpirySeconds: sessionExpirySeconds ?? self.sessionExpirySeconds,
            will: will,
            metricsLabel: metricsLabel
        )
    }

    /// FleetMQTT's TLS settings for ``tls``: libmosquitto needs a CA file or a CA directory, so without
    /// ``tlsCAFile`` it is given Debian's hashed system certificate directory.
    var tlsConfiguration: MQTTConfiguration.TLS? {
        switch tls {
        case .disable: nil
        case .require: MQTTConfiguration.TLS(caFile: tlsCAFile, caPath: tlsCAFile == nil ? "/etc/ssl/certs" : nil)
        }
    }
}
