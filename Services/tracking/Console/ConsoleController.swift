import FleetService
import Foundation
import Hummingbird
import Logging

/// The operator console (`/console/`): the page's files from ``ConsoleConfiguration/directory``, Leaflet from
/// ``ConsoleConfiguration/leafletDirectory`` at `/console/vendor/leaflet/`, and `GET /console/config.json` telling the
/// page where the other services are. No token is needed for these files: the page asks the user for one and sends
/// it with every API call.
struct ConsoleController<Context: RequestContext>: Sendable {
    let configuration: ConsoleConfiguration

    /// The JSON of `GET /console/config.json`.
    struct PageConfiguration: ResponseEncodable, Sendable {
        var services: [String: String]
        var tileURL: String?

        enum CodingKeys: String, CodingKey {
            case services
            case tileURL = "tile_url"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(services, forKey: .services)
            try container.encode(tileURL, forKey: .tileURL)  // null, not absent: the page reads it either way
        }
    }

    /// Adds the file middleware and the routes; logs a warning when a folder is missing (the console then answers 404).
    func addRoutes(to router: Router<Context>, logger: Logger) {
        for (what, path) in [("console", configuration.directory), ("Leaflet", configuration.leafletDirectory)] {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || !isDirectory.boolValue {
                logger.warning(
                    "Operator console: \(what) folder not found; /console/ will answer 404",
                    metadata: ["path": "\(path)", "hint": "FLEET_TRACKING_CONSOLE_DIR / FLEET_TRACKING_CONSOLE_LEAFLET_DIR; Leaflet: apt-get install libjs-leaflet"])
            }
        }
        // The page changes with the repository: always revalidate. Leaflet changes only with its package.
        router.add(
            middleware: FileMiddleware(
                configuration.leafletDirectory, urlBasePath: "/console/vendor/leaflet",
                cacheControl: .init([(MediaType(type: .any), [.maxAge(86_400)])]), logger: logger))
        router.add(
            middleware: FileMiddleware(
                configuration.directory, urlBasePath: "/console", cacheControl: .init([(MediaType(type: .any), [.noCache])]),
                searchForIndexHtml: true, logger: logger))
        // `/console` → `/console/`, so the page's relative URLs resolve. The router ignores a trailing slash, so
        // `/console/` reaches this route too: it answers 404 there, which lets the file middleware serve index.html.
        router.get("console") { request, _ in
            guard request.uri.path == "/console" else { throw HTTPError(.notFound) }
            return Response(status: .permanentRedirect, headers: [.location: "/console/"])
        }
        router.get("console/config.json") { request, _ -> EditedResponse<PageConfiguration> in
            var services = configuration.services
            // fleet-tracking itself is the page's own origin.
            services["tracking"] = "http://\(request.head.authority ?? "127.0.0.1:8081")"
            return EditedResponse(headers: [.cacheControl: "no-store"], response: PageConfiguration(services: services, tileURL: configuration.tileURL))
        }
    }
}
