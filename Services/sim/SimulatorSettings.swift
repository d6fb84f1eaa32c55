import Configuration
import FleetCore
import FleetService
import FleetSimulation
import Foundation

/// The simulator's own configuration keys (besides the `fleet.http.*`, `fleet.mqtt.*` and `fleet.log.*` every service
/// reads). See docs/configuration.md, section fleet-sim.
struct SimulatorSettings: Sendable, Equatable {
    /// `FLEET_SIM_VEHICLES`: vehicles to simulate.
    var vehicles: Int
    /// `FLEET_SIM_SEED`: seed of every random choice.
    var seed: UInt64
    /// `FLEET_SIM_MAP`: OpenStreetMap extract (`.osm.pbf` or `.osm`).
    var mapPath: String
    /// `FLEET_SIM_ID_PREFIX`: vehicle ids are `<prefix>-0001`, ….
    var idPrefix: String
    /// `FLEET_SIM_FAULT_RATE`: multiplier of the default fault rates (0 disables fault injection).
    var faultRate: Double
    /// `FLEET_SIM_HEALTH_DATA`: directory with `cmapss/` and `nasa_battery/` (real degradation data to replay).
    var healthDataPath: String
    /// `FLEET_SIM_DEGRADED_VEHICLES`: how many vehicles replay it (0 turns the replay off).
    var degradedVehicles: Int
    /// `FLEET_SIM_ENGINE_CYCLE_SECONDS`, `FLEET_SIM_BATTERY_CYCLE_SECONDS`: simulated seconds per replayed cycle.
    var engineCycleSeconds: Double
    var batteryCycleSeconds: Double
    /// `FLEET_SIM_TICK_MS`, `FLEET_SIM_TIME_SCALE`, `FLEET_SIM_OUTBOX_CAPACITY`, `FLEET_SIM_RESEND_TIMEOUT_MS`,
    /// `FLEET_SIM_RESENDS_PER_TICK`, `FLEET_SIM_RETAINED_WAIT_MS`, `FLEET_SIM_WIRE_FORMAT`.
    var gateway: GatewayConfiguration

    static let defaultMapPath = "../shared/data/road_network/monaco.osm.pbf"
    static let defaultHealthDataPath = "../shared/data/vehicle_health"

    init(reader: ConfigReader) throws {
        vehicles = try reader.fleetInt("fleet.sim.vehicles", default: 300, range: 1...1_000_000)
        seed = UInt64(try reader.fleetInt("fleet.sim.seed", default: 1, range: 0...Int.max))
        mapPath = try reader.fleetString("fleet.sim.map", default: Self.defaultMapPath)
        idPrefix = try reader.fleetString("fleet.sim.id.prefix", default: "sim")
        guard VehicleID.isValid("\(idPrefix)-0001") else {
            throw ConfigurationError(key: "fleet.sim.id.prefix", reason: "must match [A-Za-z0-9._-]{1,58}")
        }
        faultRate = try reader.fleetDouble("fleet.sim.fault.rate", default: 1, range: 0...1_000)
        healthDataPath = try reader.fleetString("fleet.sim.health.data", default: Self.defaultHealthDataPath)
        degradedVehicles = try reader.fleetInt("fleet.sim.degraded.vehicles", default: 12, range: 0...1_000_000)
        engineCycleSeconds = try reader.fleetDouble("fleet.sim.engine.cycle.seconds", default: 3, range: 0.01...86_400)
        batteryCycleSeconds = try reader.fleetDouble("fleet.sim.battery.cycle.seconds", default: 5, range: 0.01...86_400)
        gateway = GatewayConfiguration(
            tickInterval: .milliseconds(try reader.fleetInt("fleet.sim.tick.ms", default: 1_000, range: 10...3_600_000)),
            timeScale: try reader.fleetDouble("fleet.sim.time.scale", default: 1, range: 0.001...10_000),
            outboxCapacity: try reader.fleetInt("fleet.sim.outbox.capacity", default: 600, range: 1...1_000_000),
            resendTimeout: .milliseconds(try reader.fleetInt("fleet.sim.resend.timeout.ms", default: 10_000, range: 100...86_400_000)),
            maxResendsPerTick: try reader.fleetInt("fleet.sim.resends.per.tick", default: 1_000, range: 0...1_000_000),
            retainedWait: .milliseconds(try reader.fleetInt("fleet.sim.retained.wait.ms", default: 2_000, range: 0...600_000)),
            wireFormat: try reader.fleetEnum("fleet.sim.wire.format", default: WireFormat.json),
            drainTimeout: .milliseconds(try reader.fleetInt("fleet.sim.drain.timeout.ms", default: 0, range: 0...3_600_000))
        )
    }

    /// The fault rates: the defaults scaled by ``faultRate``.
    var faults: FaultRates { FaultRates.default.scaled(by: faultRate) }

    /// The fleet setup.
    var setup: FleetSetup { FleetSetup(vehicleCount: vehicles, seed: seed, idPrefix: idPrefix, faults: faults) }

    /// The map as a URL (relative paths are resolved against the working directory).
    var mapURL: URL { URL(fileURLWithPath: mapPath) }
}

extension ConfigReader {
    /// A finite number within `range`, or `defaultValue` when the key is missing.
    func fleetDouble(_ key: String, default defaultValue: Double, range: ClosedRange<Double>) throws -> Double {
        guard let raw = fleetOptionalString(key) else { return defaultValue }
        guard let value = Double(raw), value.isFinite else {
            throw ConfigurationError(key: key, reason: "expected a number, got \"\(raw)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
