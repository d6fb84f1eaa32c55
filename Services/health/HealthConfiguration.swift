import CoreMetrics
import Configuration
import FleetCore
import FleetHealthRules
import FleetService
import Foundation

/// What fleet-health reads at start-up beyond the shared ``FleetConfiguration``.
///
/// | Environment variable | Default | Meaning |
/// |---|---|---|
/// | `FLEET_HEALTH_SCHEMA` | `health` | PostgreSQL schema owned by the service. |
/// | `FLEET_HEALTH_SHARE_GROUP` | `health` | MQTT shared-subscription group: replicas split the telemetry and state streams. |
/// | `FLEET_HEALTH_TELEMETRY_QOS` | `1` | QoS of the telemetry subscription. `1`: the broker keeps and redelivers what this group has not acknowledged. `0`: no acknowledgement per message (less CPU per message), samples sent while no replica is connected are not kept; the rules then start from the next sample (state and silence are unaffected). |
/// | `FLEET_HEALTH_CONSUMER_BUFFER` | `10000` | Messages buffered per subscription before the broker is left to hold the rest. |
/// | `FLEET_HEALTH_SILENT_AFTER_SECONDS` | `120` | An online vehicle with no telemetry for this long is `silent`. |
/// | `FLEET_HEALTH_SWEEP_INTERVAL_MS` | `5000` | How often last-seen times and levels are flushed and silence is checked. |
/// | `FLEET_HEALTH_READ_BATCH_MS` | `2` | The consumer connection's read batching: having found nothing to read, its network thread looks again after this long instead of waking for every message (`0`: wake per message). |
/// | `FLEET_HEALTH_BATCH_PAUSE_MS` | `5` | When the consumer has emptied its buffer it waits this long before the next message, so it wakes once per batch instead of once per message (`0`: never wait). |
/// | `FLEET_HEALTH_LOW_BATTERY_PCT` / `_CLEAR_PCT` | `20` / `25` | `low_battery` below, cleared above. |
/// | `FLEET_HEALTH_LOW_FUEL_PCT` / `_CLEAR_PCT` | `15` / `20` | `low_fuel` below, cleared above. |
/// | `FLEET_HEALTH_OVERHEAT_C` / `_CLEAR_C` | `110` / `100` | `overheating` above, cleared below (each for 3 samples). |
/// | `FLEET_HEALTH_FAULT_CLEAR_SAMPLES` | `3` | Samples without a code before `fault_cleared`. |
/// | `FLEET_HEALTH_FUEL_DROP_PCT` | `8` | `fuel_drop`: points lost while parked within 30 minutes. |
/// | `FLEET_HEALTH_BATTERY_HEALTH_RATIO` | `0.8` | `battery_health` when usable capacity falls below this share of rated. |
/// | `FLEET_HEALTH_MAINTENANCE_DUE_CYCLES` | `30` | `maintenance_due` when the predicted remaining useful life falls below this. |
/// | `FLEET_HEALTH_ANOMALIES` | `1` | `1` runs per-signal anomaly detection; `0` turns it off. |
/// | `FLEET_HEALTH_MAX_VEHICLES` | `200000` | Most vehicles kept in memory; the longest-unheard are forgotten first (their record stays). |
/// | `FLEET_HEALTH_FORGET_AFTER_HOURS` | `24` | Vehicles unheard for this long and with nothing active are forgotten from memory. |
/// | `FLEET_HEALTH_MAX_FUTURE_SKEW_SECONDS` | `30` | Telemetry further ahead of the receive time is refused (as tracking does). |
/// | `FLEET_HEALTH_MAX_AGE_HOURS` | `168` | Telemetry older than this is refused. |
/// | `FLEET_HEALTH_REGISTRY_URL` | unset | fleet-control's base URL: vehicle tags for events come from its `GET /v1/vehicles`. |
/// | `FLEET_HEALTH_REGISTRY_TOKEN` | unset | A token with `fleet:read` for that (secret). |
/// | `FLEET_HEALTH_REGISTRY_INTERVAL_SECONDS` | `30` | How often tags are refreshed. |
/// | `FLEET_HEALTH_STATS_WINDOW_DAYS` | `30` | Window of the MTBF/MTTR figures in the API and metrics. |
struct HealthConfiguration: Sendable {
    var schema = "health"
    var shareGroup = "health"
    var consumerBuffer = 10_000
    var telemetryQoS = 1
    var thresholds = HealthThresholds()
    var sweepInterval: Duration = .seconds(5)
    var batchPause: Duration = .milliseconds(5)
    var readBatch: Duration = .milliseconds(2)
    var detectsAnomalies = true
    var maxVehicles = 200_000
    var forgetAfterMillis: Int64 = 24 * 3_600_000
    var maxFutureSkewSeconds = 30
    var maxAgeHours = 168
    var registryURL: String?
    var registryToken: String?
    var registryInterval: Duration = .seconds(30)
    var statsWindowDays = 30

    init() {}

    /// Reads the `fleet.health.*` keys; a malformed value throws ``ConfigurationError`` naming the variable.
    init(reader: ConfigReader) throws {
        schema = try reader.fleetString("fleet.health.schema", default: schema)
        guard MigrationRunner.isValidSchemaName(schema) else {
            throw ConfigurationError(key: "fleet.health.schema", reason: "must match [a-z_][a-z0-9_]{0,62}")
        }
        shareGroup = try reader.fleetString("fleet.health.shareGroup", default: shareGroup)
        consumerBuffer = try reader.fleetInt("fleet.health.consumerBuffer", default: consumerBuffer, range: 100...1_000_000)
        telemetryQoS = try reader.fleetInt("fleet.health.telemetryQos", default: telemetryQoS, range: 0...1)
        var t = HealthThresholds()
        t.silentAfterMillis = Int64(try reader.fleetInt("fleet.health.silentAfterSeconds", default: 120, range: 1...86_400)) * 1_000
        sweepInterval = .milliseconds(try reader.fleetInt("fleet.health.sweepIntervalMs", default: 5_000, range: 50...600_000))
        batchPause = .milliseconds(try reader.fleetInt("fleet.health.batchPauseMs", default: 5, range: 0...1_000))
        readBatch = .milliseconds(try reader.fleetInt("fleet.health.readBatchMs", default: 2, range: 0...100))
        t.lowBatteryEnterPercent = Double(try reader.fleetInt("fleet.health.lowBatteryPct", default: 20, range: 0...100))
        t.lowBatteryLeavePercent = Double(try reader.fleetInt("fleet.health.lowBatteryClearPct", default: 25, range: 0...100))
        t.lowFuelEnterPercent = Double(try reader.fleetInt("fleet.health.lowFuelPct", default: 15, range: 0...100))
        t.lowFuelLeavePercent = Double(try reader.fleetInt("fleet.health.lowFuelClearPct", default: 20, range: 0...100))
        t.overheatEnterCelsius = Double(try reader.fleetInt("fleet.health.overheatC", default: 110, range: -50...400))
        t.overheatLeaveCelsius = Double(try reader.fleetInt("fleet.health.overheatClearC", default: 100, range: -50...400))
        t.faultClearSamples = try reader.fleetInt("fleet.health.faultClearSamples", default: 3, range: 1...1_000)
        t.fuelDropPercent = Double(try reader.fleetInt("fleet.health.fuelDropPct", default: 8, range: 1...100))
        let ratio = try reader.fleetString("fleet.health.batteryHealthRatio", default: "0.8")
        guard let parsedRatio = Double(ratio), parsedRatio > 0, parsedRatio < 1 else {
            throw ConfigurationError(key: "fleet.health.batteryHealthRatio", reason: "must be a number between 0 and 1")
        }
        t.batteryHealthCapacityRatio = parsedRatio
        t.maintenanceDueCycles = Double(try reader.fleetInt("fleet.health.maintenanceDueCycles", default: 30, range: 0...10_000))
        for (key, enter, leave, above) in [
            ("fleet.health.lowBatteryClearPct", t.lowBatteryEnterPercent, t.lowBatteryLeavePercent, true),
            ("fleet.health.lowFuelClearPct", t.lowFuelEnterPercent, t.lowFuelLeavePercent, true),
            ("fleet.health.overheatClearC", t.overheatEnterCelsius, t.overheatLeaveCelsius, false),
        ] where above ? leave < enter : leave > enter {
            throw ConfigurationError(key: key, reason: "must leave a band on the clearing side of the threshold (\(enter))")
        }
        thresholds = t
        detectsAnomalies = try reader.fleetInt("fleet.health.anomalies", default: 1, range: 0...1) == 1
        maxVehicles = try reader.fleetInt("fleet.health.maxVehicles", default: maxVehicles, range: 1...10_000_000)
        forgetAfterMillis = Int64(try reader.fleetInt("fleet.health.forgetAfterHours", default: 24, range: 1...8_760)) * 3_600_000
        maxFutureSkewSeconds = try reader.fleetInt("fleet.health.maxFutureSkewSeconds", default: maxFutureSkewSeconds, range: 0...86_400)
        maxAgeHours = try reader.fleetInt("fleet.health.maxAgeHours", default: maxAgeHours, range: 1...87_600)
        registryURL = reader.fleetOptionalString("fleet.health.registry.url")
        registryToken = reader.fleetOptionalString("fleet.health.registry.token", isSecret: true)
        if let registryURL, URL(string: registryURL)?.host == nil {
            throw ConfigurationError(key: "fleet.health.registry.url", reason: "must be an http(s) URL")
        }
        registryInterval = .seconds(try reader.fleetInt("fleet.health.registry.intervalSeconds", default: 30, range: 1...86_400))
        statsWindowDays = try reader.fleetInt("fleet.health.statsWindowDays", default: statsWindowDays, range: 1...3_650)
    }

    /// The validator every consumer of raw telemetry shares with tracking.
    var validator: TelemetryValidator {
        TelemetryValidator(
            timestamps: TimestampPolicy(maxFutureSkewMillis: Int64(maxFutureSkewSeconds) * 1_000, maxAgeMillis: Int64(maxAgeHours) * 3_600_000))
    }
}
