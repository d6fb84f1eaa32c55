import ArgumentParser
import Configuration
import FleetCore
import FleetGeo
import FleetMQTT
import FleetService
import FleetSimulation
import Foundation
import Logging

/// `fleet-sim bench`: drives many vehicles at 1 Hz and prints the rate achieved and the CPU the process used.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Drive N vehicles at 1 Hz (through the broker at QoS 1, or --no-broker) and print the rate and CPU used.",
        discussion: """
            Target: 10,000 vehicles at 1 Hz on less than one core. With the broker, the simulator publishes through the
            broker configured by FLEET_MQTT_* (eval "$(scripts/stack.sh env)"; the fleet-sim account) exactly as `run`
            does. Without a tracking service nothing commits the samples, so after the resend timeout the simulator also
            resends (rate-limited; counted separately). --no-broker measures the simulation alone, with commits emulated
            once per second per vehicle.
            """
    )

    @Option(help: "Vehicles.") var vehicles = 10_000
    @Option(help: "Measured seconds (after a warm-up second).") var seconds = 30
    @Option(help: "OSM extract (default FLEET_SIM_MAP or ../shared/data/road_network/monaco.osm.pbf).") var map: String?
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Fault rate multiplier.") var faultRate: Double = 1
    @Flag(help: "Simulate without a broker.") var noBroker = false

    func validate() throws {
        guard vehicles > 0, seconds > 0 else { throw ValidationError("--vehicles and --seconds must be positive") }
    }

    func run() async throws {
        let reader = simulatorReader(overrides: [:])
        let settings = try SimulatorSettings(reader: reader)
        var logger = Logger(label: "fleet-sim-bench")
        logger.logLevel = .warning
        let mapPath = map ?? settings.mapPath
        let loadStart = ContinuousClock.now
        let graph = try RoadGraph.load(contentsOf: URL(fileURLWithPath: mapPath))
        let fleet = try RoadFleet(
            graph: graph,
            setup: FleetSetup(vehicleCount: vehicles, seed: seed, idPrefix: "bench", faults: FaultRates.default.scaled(by: faultRate)))
        print("bench: \(vehicles) vehicles on \(mapPath) (\(graph.nodeCount) nodes, \(graph.edgeCount) edges), set up in \(format((ContinuousClock.now - loadStart).seconds)) s")
        if noBroker {
            try await simulateOnly(fleet, logger: logger)
        } else {
            try await throughBroker(fleet, settings: settings, reader: reader, logger: logger)
        }
    }

    /// The simulation and gateway bookkeeping alone, paced at 1 Hz, then flat out.
    func simulateOnly(_ fleet: RoadFleet, logger: Logger) async throws {
        let gateway = SimulationGateway(model: fleet, configuration: GatewayConfiguration(), logger: logger)
        let ids = fleet.vehicleIDs
        let commitTopics = ids.map { VehicleChannel.telemetryCommitted.topic(for: $0) }
        let clock = ContinuousClock()
        var messages = 0
        var stepTimes: [Double] = []
        var usage = CPUUsage.now()
        var started = clock.now
        var deadline = clock.now
        for second in 0...seconds {
            if second == 1 {  // the first second warms up
                usage = CPUUsage.now()
                started = clock.now
                messages = 0
                stepTimes = []
            }
            let stepStart = clock.now
            let jobs = await gateway.tick(seconds: 1, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), connected: true)
            messages += jobs.reduce(0) { $0 + $1.messages.count }
            // The tracking service's coalesced commit, once per second per vehicle.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for index in ids.indices {
                let sequence = await gateway.nextSequence(of: index) - 1
                let commit = TelemetryCommit(vehicleID: ids[index], sequence: sequence, committedAtMillis: now)
                await gateway.handleCommit(MQTTMessage(topic: commitTopics[index], payload: try FleetCodec.encode(commit), qos: .atLeastOnce, retain: true))
            }
            stepTimes.append((clock.now - stepStart).seconds)
            deadline += .seconds(1)
            try await Task.sleep(until: deadline, clock: clock)
        }
        let wall = (clock.now - started).seconds
        let cpu = CPUUsage.now().seconds(since: usage)
        let statistics = await gateway.statistics
        print("mode            vehicles  samples/s  messages/s  step mean/max (s)   CPU (cores)")
        print(
            "no broker, 1 Hz".padding(toLength: 16, withPad: " ", startingAt: 0) + pad(vehicles, 8) + pad(Double(statistics.samples - vehicles) / wall, 11)
                + pad(Double(messages) / wall, 12) + "  \(format(stepTimes.reduce(0, +) / Double(stepTimes.count)))/\(format(stepTimes.max() ?? 0))".padding(toLength: 20, withPad: " ", startingAt: 0)
                + pad(cpu / wall, 11, decimals: 3))
        printPerSample(cpu: cpu, samples: statistics.samples - vehicles)
        // Flat out: how many vehicle-steps per second one core sustains.
        let burst = 10
        let burstUsage = CPUUsage.now()
        let burstStart = clock.now
        for _ in 0..<burst {
            _ = await gateway.tick(seconds: 1, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), connected: true)
        }
        let burstWall = (clock.now - burstStart).seconds
        let burstCPU = CPUUsage.now().seconds(since: burstUsage)
        print("flat out: \(burst) steps of \(vehicles) vehicles in \(format(burstWall)) s = \(Int(Double(burst * vehicles) / burstWall)) samples/s, CPU \(format(burstCPU / burstWall)) cores")
        printPerSample(cpu: burstCPU, samples: burst * vehicles)
    }

    /// The real simulator service against the configured broker, at 1 Hz, for `seconds`.
    func throughBroker(_ fleet: RoadFleet, settings: SimulatorSettings, reader: ConfigReader, logger: Logger) async throws {
        let mqtt = try FleetConfiguration(serviceName: simulatorServiceName, reader: reader).mqtt
        var clientConfiguration = mqtt.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "fleet-sim-bench")
        clientConfiguration.clientID = "fleet-sim-bench-\(getpid())"
        let client = try MQTTClient(configuration: clientConfiguration, logger: logger)
        let gateway = SimulationGateway(model: fleet, configuration: GatewayConfiguration(retainedWait: .seconds(1)), logger: logger)
        let simulator = SimulatorService(gateway: gateway, client: client, logger: logger)
        print("broker: \(mqtt)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.waitUntilConnected(timeout: .seconds(10))
            group.addTask { try await simulator.run() }
            while !simulator.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .seconds(1))  // warm-up
            let usage = CPUUsage.now()
            let start = ContinuousClock.now
            let published = simulator.publishedCount
            let before = await gateway.statistics
            try await Task.sleep(for: .seconds(seconds))
            let wall = (ContinuousClock.now - start).seconds
            let cpu = CPUUsage.now().seconds(since: usage)
            let after = await gateway.statistics
            let acknowledged = simulator.publishedCount - published
            print("mode            vehicles  samples/s  PUBACKed msg/s  resent/s  evicted   CPU (cores)")
            print(
                "broker, QoS 1".padding(toLength: 16, withPad: " ", startingAt: 0) + pad(vehicles, 8) + pad(Double(after.samples - before.samples) / wall, 11)
                    + pad(Double(acknowledged) / wall, 16) + pad(Double(after.resent - before.resent) / wall, 10)
                    + pad(after.evicted - before.evicted, 9) + pad(cpu / wall, 14, decimals: 3))
            printPerSample(cpu: cpu, samples: after.samples - before.samples)
            group.cancelAll()
            client.shutdown()
        }
    }

    /// CPU time per sample, and what that means for 10,000 vehicles at 1 Hz: a figure that holds even when other
    /// processes compete for the CPU (the wall-clock rates above do not).
    func printPerSample(cpu: Double, samples: Int) {
        guard samples > 0 else { return }
        let perSample = cpu / Double(samples)
        print("  CPU per sample \(String(format: "%.1f", perSample * 1e6)) µs → 10,000 vehicles at 1 Hz need \(format(perSample * 10_000)) cores")
    }

    func pad(_ value: Int, _ width: Int) -> String { String(value).leftPadded(width) }
    func pad(_ value: Double, _ width: Int, decimals: Int = 0) -> String {
        String(format: "%.\(decimals)f", value).leftPadded(width)
    }
    func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

/// Process CPU time (user + system) from `getrusage`.
struct CPUUsage {
    var user: Double
    var system: Double

    static func now() -> CPUUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return CPUUsage(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    func seconds(since earlier: CPUUsage) -> Double { (user - earlier.user) + (system - earlier.system) }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
