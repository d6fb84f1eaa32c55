import Configuration
import FleetService
import Foundation

/// Where the operator console's files are and which services it talks to (`FLEET_TRACKING_CONSOLE_*`, documented in
/// docs/configuration.md).
struct ConsoleConfiguration: Sendable, Equatable {
    /// The console's HTML, CSS and JavaScript (the repository's `console/`); relative paths are resolved against the
    /// working directory.
    var directory = "console"
    /// Leaflet, from Debian's `libjs-leaflet` (in an image: the same package, or the folder copied from it).
    var leafletDirectory = "/usr/share/javascript/leaflet"
    /// Base URL of each service the page calls, by name (the page calls fleet-tracking on its own origin).
    var services: [String: String] = [
        "control": "http://127.0.0.1:8082", "alerting": "http://127.0.0.1:8083", "health": "http://127.0.0.1:8084",
        "routing": "http://127.0.0.1:8085",
    ]
    /// An optional raster tile URL template (`https://tiles.example/{z}/{x}/{y}.png`) drawn under the road network.
    var tileURL: String?

    static let serviceNames: Set = ["control", "alerting", "health", "routing"]

    init() {}

    init(reader: ConfigReader) throws {
        directory = try reader.fleetString("fleet.tracking.console.dir", default: directory)
        leafletDirectory = try reader.fleetString("fleet.tracking.console.leafletDir", default: leafletDirectory)
        if let list = reader.fleetOptionalString("fleet.tracking.console.services") {
            var services = self.services
            for entry in list.split(separator: ",") {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, Self.serviceNames.contains(parts[0]), Self.isBaseURL(parts[1]) else {
                    throw ConfigurationError(
                        key: "fleet.tracking.console.services",
                        reason: "expected name=http(s)://host[:port] pairs separated by commas, names \(Self.serviceNames.sorted()) (got \(entry))")
                }
                services[parts[0]] = parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1]
            }
            self.services = services
        }
        tileURL = reader.fleetOptionalString("fleet.tracking.console.tileUrl")
        if let tileURL, !(tileURL.hasPrefix("https://") || tileURL.hasPrefix("http://")) || !tileURL.contains("{z}") {
            throw ConfigurationError(key: "fleet.tracking.console.tileUrl", reason: "must be an http(s) URL template with {z}, {x} and {y}")
        }
    }

    private static func isBaseURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return false }
        return url.query == nil
    }
}
