import Configuration
import FleetService
import Foundation

/// Fleet reports' settings, from `FLEET_REPORTS_*` (docs/configuration.md). Reports are written to the archive's object
/// store (`FLEET_ARCHIVE_S3_*`); without one, the report endpoints answer 503.
struct ReportConfiguration: Sendable, Equatable {
    /// Base URLs of the services whose records fill the report; a section of a service without one says "not configured".
    var alertingURL: String?
    var controlURL: String?
    var healthURL: String?
    var routingURL: String?
    /// The bearer token (scope `fleet:read`) sent to those services.
    var token: String?
    /// Make last week's report on the service's own timer (the local stack); in Kubernetes a CronJob runs
    /// `fleetctl reports create --last-week` instead.
    var weekly = false
    /// Tags that also get a weekly report of their own (the fleet-wide report already breaks figures down by tag).
    var weeklyTags: [String] = []
    /// Silence between two samples longer than this counts as offline downtime.
    var offlineGapSeconds = 300
    /// A stop is a rest of at least this long after moving.
    var minStopSeconds = 120
    /// Most records asked of each service.
    var recordLimit = 200_000

    init() {}

    init(reader: ConfigReader) throws {
        alertingURL = try Self.url(reader, "fleet.reports.alertingUrl")
        controlURL = try Self.url(reader, "fleet.reports.controlUrl")
        healthURL = try Self.url(reader, "fleet.reports.healthUrl")
        routingURL = try Self.url(reader, "fleet.reports.routingUrl")
        token = reader.fleetOptionalString("fleet.reports.token", isSecret: true)
        if let raw = reader.fleetOptionalString("fleet.reports.weekly")?.lowercased() {
            guard ["true", "false", "1", "0", "yes", "no"].contains(raw) else {
                throw ConfigurationError(key: "fleet.reports.weekly", reason: "\"\(raw)\" is not true or false")
            }
            weekly = ["true", "1", "yes"].contains(raw)
        }
        weeklyTags = (reader.fleetOptionalString("fleet.reports.weeklyTags") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        offlineGapSeconds = try reader.fleetInt("fleet.reports.offlineGapSeconds", default: offlineGapSeconds, range: 10...86_400)
        minStopSeconds = try reader.fleetInt("fleet.reports.minStopSeconds", default: minStopSeconds, range: 1...86_400)
        recordLimit = try reader.fleetInt("fleet.reports.recordLimit", default: recordLimit, range: 1...500_000)
    }

    private static func url(_ reader: ConfigReader, _ key: String) throws -> String? {
        guard var value = reader.fleetOptionalString(key) else { return nil }
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw ConfigurationError(key: key, reason: "must be an http(s) URL")
        }
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}
