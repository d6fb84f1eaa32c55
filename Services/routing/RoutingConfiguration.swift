import Configuration
import FleetCore
import FleetService
import FleetTraffic
import Foundation

/// What fleet-routing reads at start-up beyond the shared ``FleetConfiguration``.
///
/// | Environment variable | Default | Meaning |
/// |---|---|---|
/// | `FLEET_ROUTING_SCHEMA` | `routing` | PostgreSQL schema owned by the service. |
/// | `FLEET_ROUTING_MAP` | `../shared/data/road_network/monaco.osm.pbf` | OpenStreetMap extract (`.osm.pbf` or `.osm`) whose drivable roads are routed on. |
/// | `FLEET_ROUTING_SHARE_GROUP` | `routing` | MQTT shared-subscription group for telemetry and fleet events. Replicas in one group split the stream, so each sees part of the traffic; give each replica its own group to give each all of it. |
/// | `FLEET_ROUTING_TELEMETRY_QOS` | `0` | QoS of the telemetry subscription. Traffic is a statistic: a lost sample costs nothing, and QoS 0 spares an acknowledgement per message. |
/// | `FLEET_ROUTING_CONSUMER_BUFFER` | `10000` | Messages buffered per subscription before the broker is left to hold the rest. |
/// | `FLEET_ROUTING_TRAFFIC_REFRESH_MS` | `5000` | How often travel times are recomputed from the live speeds. |
/// | `FLEET_ROUTING_JAM_RATIO` / `FLEET_ROUTING_JAM_CLEAR_RATIO` | `0.4` / `0.6` | A segment below this share of its free-flow speed is slow; above the clearing share it flows. |
/// | `FLEET_ROUTING_JAM_SECONDS` / `FLEET_ROUTING_JAM_CLEAR_SECONDS` | `180` / `120` | How long a segment must stay slow before `traffic_jam`, and flow before `traffic_cleared`. |
/// | `FLEET_ROUTING_JAM_SILENCE_SECONDS` | `900` | A jam nobody has driven through for this long is cleared. |
/// | `FLEET_ROUTING_SNAP_RADIUS_M` | `500` | Stops and vehicles further than this from a drivable road are refused (`unreachable_location`). |
/// | `FLEET_ROUTING_POSITION_MAX_AGE_SECONDS` | `900` | A vehicle's live position older than this is not used as its start. |
/// | `FLEET_ROUTING_DEFAULT_TIME_LIMIT_MS` | `1000` | Solver time when a request gives none. |
/// | `FLEET_ROUTING_SYNC_MAX_TIME_LIMIT_MS` | `10000` | Longest solve answered in the request; longer ones, and `"async": true`, become jobs (202 + id). |
/// | `FLEET_ROUTING_MAX_TIME_LIMIT_MS` | `120000` | Longest solve accepted at all. |
/// | `FLEET_ROUTING_MAX_STOPS` / `_MAX_VEHICLES` | `2000` / `500` | Largest request accepted. |
/// | `FLEET_ROUTING_MAINTENANCE_HOLD_HOURS` | `24` | A `maintenance_due` event counts for this long. |
/// | `FLEET_ROUTING_MAINTENANCE_MAX_HOURS` | `2` | Longest route given to a vehicle whose maintenance is due. |
/// | `FLEET_ROUTING_WATCH_INTERVAL_MS` | `15000` | How often dispatched plans get new ETAs from live positions and traffic, and are checked for breakdowns and jams on the way (a breakdown also wakes it at once). |
/// | `FLEET_ROUTING_CONTROL_URL` | unset | fleet-control's base URL: dispatch sends routes through its command API. |
/// | `FLEET_ROUTING_CONTROL_TOKEN` | unset | A token with `commands:write` for that (secret). |
struct RoutingConfiguration: Sendable {
    var schema = "routing"
    var mapPath = "../shared/data/road_network/monaco.osm.pbf"
    var shareGroup = "routing"
    var telemetryQoS = 0
    var consumerBuffer = 10_000
    var trafficRefresh: Duration = .seconds(5)
    var watchInterval: Duration = .seconds(15)
    var traffic = TrafficMonitor.Configuration()
    var limits = PlanningLimits()
    var controlURL: String?
    var controlToken: String?

    init() {}

    /// Reads the `fleet.routing.*` keys; a malformed value throws ``ConfigurationError`` naming the variable.
    init(reader: ConfigReader) throws {
        schema = try reader.fleetString("fleet.routing.schema", default: schema)
        guard MigrationRunner.isValidSchemaName(schema) else {
            throw ConfigurationError(key: "fleet.routing.schema", reason: "must match [a-z_][a-z0-9_]{0,62}")
        }
        mapPath = try reader.fleetString("fleet.routing.map", default: mapPath)
        shareGroup = try reader.fleetString("fleet.routing.shareGroup", default: shareGroup)
        guard FleetTopics.isValidShareGroup(shareGroup) else {
            throw ConfigurationError(key: "fleet.routing.shareGroup", reason: "must be a topic-safe token")
        }
        telemetryQoS = try reader.fleetInt("fleet.routing.telemetryQos", default: telemetryQoS, range: 0...1)
        consumerBuffer = try reader.fleetInt("fleet.routing.consumerBuffer", default: consumerBuffer, range: 100...1_000_000)
        trafficRefresh = .milliseconds(try reader.fleetInt("fleet.routing.trafficRefreshMs", default: 5_000, range: 100...600_000))
        watchInterval = .milliseconds(try reader.fleetInt("fleet.routing.watchIntervalMs", default: 15_000, range: 100...3_600_000))
        var jams = traffic.jams
        jams.enterRatio = try Self.ratio(reader, "fleet.routing.jamRatio", default: jams.enterRatio)
        jams.clearRatio = try Self.ratio(reader, "fleet.routing.jamClearRatio", default: jams.clearRatio)
        guard jams.clearRatio >= jams.enterRatio else {
            throw ConfigurationError(key: "fleet.routing.jamClearRatio", reason: "must not be below FLEET_ROUTING_JAM_RATIO")
        }
        jams.enterSeconds = Double(try reader.fleetInt("fleet.routing.jamSeconds", default: Int(jams.enterSeconds), range: 0...86_400))
        jams.clearSeconds = Double(try reader.fleetInt("fleet.routing.jamClearSeconds", default: Int(jams.clearSeconds), range: 0...86_400))
        jams.silenceSeconds = Double(
            try reader.fleetInt("fleet.routing.jamSilenceSeconds", default: Int(jams.silenceSeconds), range: 1...604_800))
        traffic.jams = jams
        limits.snapRadiusMeters = Double(try reader.fleetInt("fleet.routing.snapRadiusM", default: 500, range: 1...100_000))
        limits.positionMaxAgeMillis = Int64(try reader.fleetInt("fleet.routing.positionMaxAgeSeconds", default: 900, range: 1...604_800)) * 1_000
        limits.defaultTimeLimitMillis = try reader.fleetInt("fleet.routing.defaultTimeLimitMs", default: 1_000, range: 10...3_600_000)
        limits.syncMaxTimeLimitMillis = try reader.fleetInt("fleet.routing.syncMaxTimeLimitMs", default: 10_000, range: 10...3_600_000)
        limits.maxTimeLimitMillis = try reader.fleetInt("fleet.routing.maxTimeLimitMs", default: 120_000, range: 10...3_600_000)
        limits.maxStops = try reader.fleetInt("fleet.routing.maxStops", default: limits.maxStops, range: 1...100_000)
        limits.maxVehicles = try reader.fleetInt("fleet.routing.maxVehicles", default: limits.maxVehicles, range: 1...10_000)
        limits.maintenanceHoldMillis = Int64(try reader.fleetInt("fleet.routing.maintenanceHoldHours", default: 24, range: 1...8_760)) * 3_600_000
        limits.maintenanceMaxSeconds = try reader.fleetInt("fleet.routing.maintenanceMaxHours", default: 2, range: 0...168) * 3_600
        controlURL = reader.fleetOptionalString("fleet.routing.control.url")
        controlToken = reader.fleetOptionalString("fleet.routing.control.token", isSecret: true)
        if let controlURL, URL(string: controlURL)?.host == nil {
            throw ConfigurationError(key: "fleet.routing.control.url", reason: "must be an http(s) URL")
        }
    }

    private static func ratio(_ reader: ConfigReader, _ key: String, default value: Double) throws -> Double {
        let text = try reader.fleetString(key, default: String(value))
        guard let parsed = Double(text), parsed > 0, parsed < 1 else {
            throw ConfigurationError(key: key, reason: "must be a number between 0 and 1")
        }
        return parsed
    }

    /// The validator every consumer of raw telemetry shares with tracking.
    var validator: TelemetryValidator { TelemetryValidator(timestamps: TimestampPolicy()) }
}
