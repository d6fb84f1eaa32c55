import Configuration
import FleetService

/// What fleet-control reads at start-up beyond the shared ``FleetConfiguration``.
///
/// | Environment variable | Default | Meaning |
/// |---|---|---|
/// | `FLEET_CONTROL_SCHEMA` | `control` | PostgreSQL schema owned by the service. |
/// | `FLEET_CONTROL_ADMIN_TOKEN` | unset | Bootstrap admin token; its SHA-256 is upserted at start. |
/// | `FLEET_CONTROL_ADMIN_TOKEN_RPS` | `1000` | The bootstrap admin token's own rate limit (requests/s); burst is twice it. |
/// | `FLEET_CONTROL_PROVISIONER_USERNAME` | unset | Broker account with the dynamic-security `provisioner` role; enables vehicle credentials. |
/// | `FLEET_CONTROL_PROVISIONER_PASSWORD` | unset | Its password. |
/// | `FLEET_CONTROL_DEFAULT_TTL_SECONDS` | `60` | Command time-to-live when the request gives none. |
/// | `FLEET_CONTROL_MAX_TTL_SECONDS` | `86400` | Largest accepted time-to-live. |
/// | `FLEET_CONTROL_OFFLINE_POLICY` | `queue` | `queue` commands for offline vehicles, or `refuse` them with 409. |
/// | `FLEET_CONTROL_RESEND_INITIAL_MS` | `2000` | First resend delay of an unacknowledged command (doubles per attempt). |
/// | `FLEET_CONTROL_RESEND_MAX_MS` | `30000` | Largest resend delay. |
/// | `FLEET_CONTROL_SCAN_INTERVAL_MS` | `250` | How often the dispatcher looks for due resends, expiries and unpublished desired states. |
/// | `FLEET_CONTROL_MAX_WAIT_SECONDS` | `30` | Longest `?wait=` long-poll. |
/// | `FLEET_CONTROL_MAX_SELECTION` | `10000` | Most vehicles one fleet command may address. |
/// | `FLEET_CONTROL_TRACK_POSITIONS` | `1` | `1` keeps the latest position per vehicle from fleet-tracking's position stream (`fleet/v1/positions/+`) for bounding-box and geofence selection; `0` disables it. |
/// | `FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS` | `720` | Finished commands unchanged this long are deleted with their transitions. |
struct ControlConfiguration: Sendable, Equatable {
    /// Whether commands to offline vehicles are queued or refused.
    enum OfflinePolicy: String, Sendable, CaseIterable {
        case queue
        case refuse
    }

    var schema = "control"
    var adminToken: String?
    var adminTokenRateLimit = 1_000
    var provisionerUsername: String?
    var provisionerPassword: String?
    var defaultTTLSeconds = 60
    var maxTTLSeconds = 86_400
    var offlinePolicy = OfflinePolicy.queue
    var resendInitialMilliseconds = 2_000
    var resendMaxMilliseconds = 30_000
    var scanIntervalMilliseconds = 250
    var maxWaitSeconds = 30
    var maxSelection = 10_000
    var trackPositions = true
    /// Hours a finished command (rejected, completed, failed, expired) is kept after its last change before it is
    /// deleted with its transitions; at least 1.
    var commandHistoryRetentionHours = 720

    init() {}

    /// Seconds before the first resend of an unanswered command.
    var resendInitialDelay: Double { Double(resendInitialMilliseconds) / 1000 }

    /// Reads the `fleet.control.*` keys; a malformed value throws ``ConfigurationError`` naming the variable.
    init(reader: ConfigReader) throws {
        schema = try reader.fleetString("fleet.control.schema", default: schema)
        guard MigrationRunner.isValidSchemaName(schema) else {
            throw ConfigurationError(key: "fleet.control.schema", reason: "must match [a-z_][a-z0-9_]{0,62}")
        }
        adminToken = reader.fleetOptionalString("fleet.control.adminToken", isSecret: true)
        if let adminToken, adminToken.utf8.count < 16 {
            throw ConfigurationError(key: "fleet.control.adminToken", reason: "must be at least 16 characters")
        }
        adminTokenRateLimit = try reader.fleetInt("fleet.control.adminToken.rps", default: adminTokenRateLimit, range: 1...1_000_000)
        provisionerUsername = reader.fleetOptionalString("fleet.control.provisioner.username")
        provisionerPassword = reader.fleetOptionalString("fleet.control.provisioner.password", isSecret: true)
        guard (provisionerUsername == nil) == (provisionerPassword == nil) else {
            throw ConfigurationError(key: "fleet.control.provisioner.password", reason: "set both FLEET_CONTROL_PROVISIONER_USERNAME and _PASSWORD, or neither")
        }
        defaultTTLSeconds = try reader.fleetInt("fleet.control.defaultTtlSeconds", default: defaultTTLSeconds, range: 1...31_536_000)
        maxTTLSeconds = try reader.fleetInt("fleet.control.maxTtlSeconds", default: maxTTLSeconds, range: 1...31_536_000)
        guard defaultTTLSeconds <= maxTTLSeconds else {
            throw ConfigurationError(key: "fleet.control.defaultTtlSeconds", reason: "must not exceed FLEET_CONTROL_MAX_TTL_SECONDS (\(maxTTLSeconds))")
        }
        offlinePolicy = try reader.fleetEnum("fleet.control.offlinePolicy", default: offlinePolicy)
        resendInitialMilliseconds = try reader.fleetInt("fleet.control.resend.initialMs", default: resendInitialMilliseconds, range: 10...3_600_000)
        resendMaxMilliseconds = try reader.fleetInt("fleet.control.resend.maxMs", default: resendMaxMilliseconds, range: 10...3_600_000)
        scanIntervalMilliseconds = try reader.fleetInt("fleet.control.scanIntervalMs", default: scanIntervalMilliseconds, range: 10...60_000)
        maxWaitSeconds = try reader.fleetInt("fleet.control.maxWaitSeconds", default: maxWaitSeconds, range: 0...300)
        maxSelection = try reader.fleetInt("fleet.control.maxSelection", default: maxSelection, range: 1...1_000_000)
        trackPositions = try reader.fleetInt("fleet.control.trackPositions", default: 1, range: 0...1) == 1
        // Up to ten years; 0 is refused rather than read as "delete at once" or "keep forever".
        commandHistoryRetentionHours = try reader.fleetInt(
            "fleet.control.commandHistoryRetentionHours", default: commandHistoryRetentionHours, range: 1...87_600)
    }
}
