/// Errors raised by ``MQTTClient``. Each carries enough context to be logged and acted on.
public enum MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libmosquitto refused the call; `code` is a `MOSQ_ERR_*` value and `message` its text.
    case library(operation: String, code: Int32, message: String)
    /// The broker refused the connection (CONNACK reason code).
    case connectionRefused(reasonCode: Int32, message: String)
    /// The broker answered a QoS 1/2 publish with a failure reason code (e.g. 0x87 not authorised).
    case publishRejected(topic: String, reasonCode: Int32, message: String)
    /// The broker refused a subscription (SUBACK reason code).
    case subscriptionRejected(filter: String, reasonCode: Int32, message: String)
    /// The payload is larger than the broker or the client allows.
    case payloadTooLarge(size: Int, limit: Int)
    /// The topic or filter is not valid MQTT.
    case invalidTopic(String)
    /// A QoS 0 publish was attempted while there is no connection (QoS 1/2 are queued instead).
    case notConnected
    /// The client is shutting down or has shut down; the operation will not complete.
    case shutdown
    /// No connection was established within the allowed time.
    case connectTimeout(seconds: Double, lastError: String?)

    public var description: String {
        switch self {
        case .library(let operation, let code, let message): "\(operation) failed: \(message) (mosquitto error \(code))"
        case .connectionRefused(let code, let message): "broker refused the connection: \(message) (reason \(code))"
        case .publishRejected(let topic, let code, let message): "broker rejected publish to \(topic): \(message) (reason 0x\(String(code, radix: 16)))"
        case .subscriptionRejected(let filter, let code, let message): "broker rejected subscription \(filter): \(message) (reason 0x\(String(code, radix: 16)))"
        case .payloadTooLarge(let size, let limit): "payload of \(size) bytes exceeds the limit of \(limit) bytes"
        case .invalidTopic(let topic): "invalid MQTT topic or filter: \(topic)"
        case .notConnected: "not connected to the broker"
        case .shutdown: "the MQTT client is shut down"
        case .connectTimeout(let seconds, let lastError): "no broker connection within \(seconds) s" + (lastError.map { ": \($0)" } ?? "")
        }
    }
}
