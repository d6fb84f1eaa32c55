/// How an ``MQTTClient`` connects. Plain values: services fill it from their environment configuration.
public struct MQTTConfiguration: Sendable {
    /// Broker host name or address.
    public var host: String
    /// Broker TCP port.
    public var port: Int
    /// MQTT client identifier. A persistent session is keyed by it, so keep it stable across restarts.
    public var clientID: String
    /// Optional user name and password.
    public var username: String?
    public var password: String?
    /// TLS settings; `nil` for plain TCP.
    public var tls: TLS?
    /// Keep-alive interval in seconds (libmosquitto requires at least 5).
    public var keepAliveSeconds: Int
    /// `true` starts a new session; `false` resumes the broker-side session (subscriptions and queued messages).
    public var cleanStart: Bool
    /// How long the broker keeps the session after a disconnect, in seconds (MQTT v5 Session Expiry Interval).
    /// `0` ends the session with the connection; `UInt32.max` never expires it.
    public var sessionExpirySeconds: UInt32
    /// A message the broker publishes if the connection is lost without a clean disconnect.
    public var will: Will?
    /// Reconnect backoff: the first delay, doubled after each failed attempt up to the maximum.
    public var reconnectDelayMin: Duration
    public var reconnectDelayMax: Duration
    /// Upper bound on QoS 1/2 publishes awaiting their acknowledgement; further publishers wait.
    /// Keeps memory bounded and stays well below the 16-bit packet-identifier space.
    public var maxOutstandingPublishes: Int
    /// QoS 1/2 messages in flight at once in each direction: the client's MQTT v5 Receive Maximum and libmosquitto's
    /// send maximum (1...65535; the broker's own limits still apply, e.g. `max_inflight_messages`). The default, 1,000,
    /// keeps a busy connection streaming; `nil` keeps libmosquitto's default of 20, which meters a burst of QoS 1
    /// publishes or deliveries out 20 per broker round trip (ingest ran into that cap).
    public var inflightWindow: Int? = 1_000
    /// Read batching for a busy subscriber. `nil` (the default): the network thread sleeps in `select` and wakes at the
    /// first byte of every message. Set: after a pass that read nothing it pauses this long before looking again, so
    /// the messages that arrived meanwhile are read in one go without a wake-up each (a thread wake-up costs more than
    /// handling a small message); after a tenth of a second with nothing it blocks in `select` again, so an idle client
    /// does not poll. Costs up to this much latency per message.
    public var readBatchInterval: Duration?
    /// Largest packet the client accepts from the broker (MQTT v5 Maximum Packet Size), in bytes; `nil` for no limit.
    public var maximumPacketSize: UInt32?
    /// A short, bounded name used as the `client` label on metrics (a service name, never a vehicle id).
    public var metricsLabel: String

    /// TLS options passed to libmosquitto.
    public struct TLS: Sendable {
        /// PEM file of trusted certificate authorities.
        public var caFile: String?
        /// Directory of trusted certificate authorities (c_rehash layout).
        public var caPath: String?
        /// Client certificate and key for mutual TLS.
        public var certificateFile: String?
        public var keyFile: String?
        /// Skip host-name verification. Only for test brokers.
        public var insecureSkipHostnameVerification: Bool

        public init(caFile: String? = nil, caPath: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, insecureSkipHostnameVerification: Bool = false) {
            self.caFile = caFile
            self.caPath = caPath
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.insecureSkipHostnameVerification = insecureSkipHostnameVerification
        }
    }

    /// A last-will message.
    public struct Will: Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: MQTTQoS
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// Creates a configuration; every parameter but the client id has a sensible default for a loopback broker.
    public init(
        host: String = "127.0.0.1",
        port: Int = 1883,
        clientID: String,
        username: String? = nil,
        password: String? = nil,
        tls: TLS? = nil,
        keepAliveSeconds: Int = 30,
        cleanStart: Bool = true,
        sessionExpirySeconds: UInt32 = 0,
        will: Will? = nil,
        reconnectDelayMin: Duration = .milliseconds(100),
        reconnectDelayMax: Duration = .seconds(10),
        maxOutstandingPublishes: Int = 20_000,
        maximumPacketSize: UInt32? = nil,
        metricsLabel: String = "default"
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.username = username
        self.password = password
        self.tls = tls
        self.keepAliveSeconds = max(5, keepAliveSeconds)
        self.cleanStart = cleanStart
        self.sessionExpirySeconds = sessionExpirySeconds
        self.will = will
        self.reconnectDelayMin = reconnectDelayMin
        self.reconnectDelayMax = reconnectDelayMax
        self.maxOutstandingPublishes = max(1, min(maxOutstandingPublishes, 60_000))
        self.maximumPacketSize = maximumPacketSize
        self.metricsLabel = metricsLabel
    }
}
