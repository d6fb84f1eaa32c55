import NIOHTTP1
import CoreMetrics
import AsyncHTTPClient
import FleetService
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Reads every vehicle's tags from fleet-control's `GET /v1/vehicles` (paged by `after`) with a `fleet:read` token.
/// The registry is fleet-control's; fleet-health only reads it through its API.
struct RegistrySync: Sendable {
    let baseURL: String
    let token: String
    let client: HTTPClient
    let directory: TagDirectory
    let logger: Logger

    private struct Page: Decodable {
        struct Vehicle: Decodable {
            var id: String
            var tags: [String]
        }
        var vehicles: [Vehicle]
        var nextAfter: String?
        enum CodingKeys: String, CodingKey {
            case vehicles
            case nextAfter = "next_after"
        }
    }

    /// Reads the whole registry and replaces the directory; a failed page leaves the directory as it was.
    func refresh() async throws {
        var tags: [String: [String]] = [:]
        var after: String?
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        for _ in 0..<10_000 {
            var url = "\(base)/v1/vehicles?limit=1000"
            if let after, let encoded = after.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) { url += "&after=\(encoded)" }
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
            guard response.status == .ok else {
                throw RegistryError(message: "registry answered \(response.status.code) for \(url)")
            }
            let page = try JSONDecoder().decode(Page.self, from: Data(buffer: body))
            for vehicle in page.vehicles where !vehicle.tags.isEmpty { tags[vehicle.id] = vehicle.tags }
            guard let next = page.nextAfter, !page.vehicles.isEmpty else { break }
            after = next
        }
        directory.replace(tags)
        logger.debug("Vehicle tags refreshed", metadata: ["vehicles.tagged": "\(tags.count)"])
    }
}

/// The registry could not be read.
struct RegistryError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
