import CoreMetrics
public import FleetCore
import FleetMQTT
public import Logging

/// Speaks MQTT for every vehicle of a ``FleetModel``: numbers and buffers their telemetry until the tracking service
/// commits it, resends what stays unconfirmed, publishes their state, and executes and acknowledges commands.
///
/// Pure bookkeeping without I/O: ``tick(seconds:nowMillis:connected:sendBudget:)`` and the `handle…` methods return
/// the messages to publish, and ``SimulatorService`` publishes them. Tests drive it directly with their own clock.
public actor SimulationGateway<Model: FleetModel> {
    /// The vehicles.
    public internal(set) var model: Model
    /// How it paces, buffers and resends.
    public let configuration: GatewayConfiguration
    let logger: Logger
    nonisolated let metrics = SimulatorMetrics()

    var outboxes: [TelemetryOutbox]
    let indexByID: [String: Int]
    let telemetryTopics: [String]
    let stateTopics: [String]
    let ackTopics: [String]
    /// Per-vehicle simulated connectivity (an injected offline period makes it `false`).
    var online: [Bool]
    /// Whether the broker connection was up at the last tick.
    var brokerConnected = false
    /// Per-vehicle connection number (`VehicleState.connection`): a new one, never smaller than the time in ms, each
    /// time the vehicle (re)connects, so its states are ordered as a real device's would be.
    var connections: [UInt64]
    var desired: [DesiredState?]
    var recentCommands = RecentIDs(capacity: 100_000)
    var reportedFaults: [FaultKind: Int] = [:]
    /// Running totals, for benchmarks and tests.
    public internal(set) var statistics = GatewayStatistics()

    /// Creates a gateway for `model`.
    public init(model: Model, configuration: GatewayConfiguration = GatewayConfiguration(), logger: Logger) {
        self.model = model
        self.configuration = configuration
        self.logger = logger
        let ids = model.vehicleIDs
        outboxes = Array(repeating: TelemetryOutbox(capacity: configuration.outboxCapacity), count: ids.count)
        var indexByID: [String: Int] = [:]
        for (index, id) in ids.enumerated() { indexByID[id.rawValue] = index }
        self.indexByID = indexByID
        telemetryTopics = ids.map { VehicleChannel.telemetry.topic(for: $0) }
        stateTopics = ids.map { VehicleChannel.state.topic(for: $0) }
        ackTopics = ids.map { VehicleChannel.commandAcks.topic(for: $0) }
        online = Array(repeating: true, count: ids.count)
        connections = Array(repeating: 0, count: ids.count)
        desired = Array(repeating: nil, count: ids.count)
        metrics.vehicles.record(ids.count)
    }

    // MARK: Stepping

    /// Advances the simulation by `seconds` of wall time (scaled by ``GatewayConfiguration/timeScale``) and returns
    /// what to publish: per vehicle, state changes, then its unconfirmed samples in sequence order.
    ///
    /// - Parameters:
    ///   - connected: whether the broker connection is up; while it is down everything is buffered.
    ///   - sendBudget: at most this many telemetry messages are handed out (the rest wait in the outboxes).
    ///   - generate: whether the vehicles move and make new samples; `false` only hands out what is due (draining).
    public func tick(seconds: Double, nowMillis: Int64, connected: Bool, sendBudget: Int = .max, generate: Bool = true) -> [PublishJob] {
        var jobs: [Int: [OutgoingMessage]] = [:]
        func add(_ index: Int, _ message: OutgoingMessage) { jobs[index, default: []].append(message) }

        let reconnected = connected && !brokerConnected
        brokerConnected = connected
        if reconnected {
            // Everything unconfirmed goes out again, in order; every online vehicle announces itself.
            for index in outboxes.indices { outboxes[index].markAllUnsent() }
            for index in online.indices where online[index] {
                connect(index, nowMillis: nowMillis)
                add(index, stateMessage(index, connectivity: .online, nowMillis: nowMillis))
            }
        }

        let outputs = generate ? model.step(seconds: seconds * configuration.timeScale, nowMillis: nowMillis) : []
        for output in outputs {
            switch output {
            case .telemetry(let index, var sample):
                let format = configuration.wireFormat
                let appended = outboxes[index].append { sequence in
                    sample.sequence = sequence
                    return try? FleetCodec.encode(sample, format: format)
                }
                if let appended {
                    statistics.samples += 1
                    if !connected || !online[index] { statistics.samplesBuffered += 1 }
                    metrics.samples.increment()
                    if appended.evicted {
                        statistics.evicted += 1
                        metrics.evicted.increment()
                    }
                } else {
                    statistics.encodeFailures += 1
                    logger.error("Simulated sample failed validation", metadata: ["vehicle.id": "\(sample.vehicleID)"])
                }
            case .statusChanged(let index, _):
                if connected && online[index] { add(index, stateMessage(index, connectivity: .online, nowMillis: nowMillis)) }
            case .connectivityChanged(let index, let isOnline):
                online[index] = isOnline
                if isOnline {
                    outboxes[index].markAllUnsent()
                    connect(index, nowMillis: nowMillis)
                }
                if connected {
                    add(index, stateMessage(index, connectivity: isOnline ? .online : .offline, nowMillis: nowMillis))
                }
            case .rawPayload(let index, let payload, _):
                if connected && online[index] {
                    add(index, OutgoingMessage(topic: telemetryTopics[index], payload: payload, qos: .atLeastOnce, retain: false, purpose: .fault))
                }
            case .commandFinished(let index, let commandID, let status, let reason):
                if let message = ackMessage(index, commandID: commandID, status: status, reason: reason, nowMillis: nowMillis) {
                    add(index, message)
                }
            }
        }
        recordFaults()

        if connected {
            var budget = sendBudget
            var resendBudget = configuration.maxResendsPerTick
            let timeout = configuration.resendTimeoutMillis
            for index in outboxes.indices where online[index] && budget > 0 {
                let limit = min(budget, configuration.maxCatchUpPerVehicle)
                let due = outboxes[index].due(
                    nowMillis: nowMillis, timeoutMillis: timeout, limit: limit, resendLimit: resendBudget)
                guard !due.payloads.isEmpty else { continue }
                resendBudget -= due.resends
                let taken = due.payloads
                for (_, payload) in taken {
                    add(index, OutgoingMessage(
                        topic: telemetryTopics[index], payload: payload, qos: .atLeastOnce, retain: false, purpose: .telemetry))
                }
                budget -= taken.count
                statistics.handedOut += taken.count
                statistics.resent += due.resends
                if due.resends > 0 { metrics.resent.increment(by: due.resends) }
            }
        }
        var depth = 0
        for outbox in outboxes { depth += outbox.count }
        metrics.outboxDepth.record(depth)
        metrics.vehiclesOnline.record(online.lazy.filter { $0 }.count)
        return jobs.sorted { $0.key < $1.key }.map { PublishJob(messages: $0.value) }
    }

    func recordFaults() {
        for (kind, count) in model.faultCounts where count != reportedFaults[kind, default: 0] {
            metrics.faults[kind]?.increment(by: count - reportedFaults[kind, default: 0])
            reportedFaults[kind] = count
        }
    }

    /// Retained `offline` states for every vehicle, published when the simulator stops.
    public func offlineMessages(nowMillis: Int64) -> [OutgoingMessage] {
        model.vehicleIDs.indices.map { stateMessage($0, connectivity: .offline, nowMillis: nowMillis) }
    }

    /// Starts a new connection of vehicle `index`.
    func connect(_ index: Int, nowMillis: Int64) {
        connections[index] = max(connections[index] + 1, UInt64(max(0, nowMillis)))
    }

    func stateMessage(_ index: Int, connectivity: Connectivity, nowMillis: Int64) -> OutgoingMessage {
        let state = VehicleState(
            vehicleID: model.vehicleIDs[index], connectivity: connectivity, lastSeenMillis: nowMillis,
            status: model.status(of: index), desired: desired[index], connection: connections[index] == 0 ? nil : connections[index]
        )
        let payload = (try? FleetCodec.encode(state)) ?? []
        return OutgoingMessage(topic: stateTopics[index], payload: payload, qos: .atLeastOnce, retain: true, purpose: .state)
    }

    // MARK: Inspection

    /// Number of vehicles.
    public var vehicleCount: Int { outboxes.count }
    /// The next sequence number vehicle `index` will use.
    public func nextSequence(of index: Int) -> UInt64 { outboxes[index].nextSequence }
    /// Unconfirmed samples of vehicle `index`.
    public func unconfirmedCount(of index: Int) -> Int { outboxes[index].count }
    /// Unconfirmed samples of the whole fleet.
    public var unconfirmedTotal: Int { outboxes.reduce(0) { $0 + $1.count } }
    /// The index of vehicle `id`, if this gateway speaks for it.
    public func index(of id: VehicleID) -> Int? { indexByID[id.rawValue] }
}

/// Running totals of a ``SimulationGateway``.
public struct GatewayStatistics: Hashable, Sendable {
    /// Samples generated and numbered.
    public var samples = 0
    /// Samples generated while the broker connection or the vehicle was offline (buffered for later).
    public var samplesBuffered = 0
    /// Samples handed out for publishing (first sends and resends).
    public var handedOut = 0
    /// Of those, resends.
    public var resent = 0
    /// Samples evicted unconfirmed from full outboxes.
    public var evicted = 0
    /// Samples that failed validation (a model bug; never published).
    public var encodeFailures = 0
    /// Commits received.
    public var commits = 0
    /// Commands rejected.
    public var rejectedCommands = 0
    /// Payloads on subscribed topics that could not be decoded.
    public var invalidMessages = 0
}
