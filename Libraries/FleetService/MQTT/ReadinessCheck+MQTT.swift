import FleetMQTT

extension ReadinessCheck {
    /// Ready while `client` holds a connection to the broker.
    public static func mqtt(_ client: MQTTClient, name: String = "mqtt") -> ReadinessCheck {
        ReadinessCheck(name) { client.isConnected }
    }
}
