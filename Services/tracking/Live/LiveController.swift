import FleetService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/live[?bbox=minLon,minLat,maxLon,maxLat]`: WebSocket of position updates, for a token with `fleet:read`
/// (in `Authorization: Bearer`, or `?access_token=` for browsers, which cannot set headers on a WebSocket).
///
/// A request that is refused here is not upgraded and reaches the HTTP router's `GET /v1/live`, which answers
/// 401/403 through the usual middleware (or 426 to an authorised request that did not ask for a WebSocket).
///
/// The first frame is a snapshot of the latest positions (type `snapshot`); then frames of type
/// `positions` every live interval, coalesced per vehicle. Client messages are ignored.
struct LiveController<Repository: TrackingRepository>: Sendable {
    let hub: LiveHub
    let repository: Repository
    let authenticator: any TokenAuthenticator

    /// The HTTP side of `/v1/live`: reached only by requests that were not upgraded.
    static func addFallbackRoute<Context: AuthenticatedRequestContext>(to group: RouterGroup<Context>) {
        group.get("live") { request, context -> Response in
            _ = try context.require(.fleetRead)
            if let bbox = request.uri.queryParameters.get("bbox"), BoundingBox(parsing: bbox) == nil {
                throw HTTPError(.badRequest, message: "query parameter 'bbox' must be minLon,minLat,maxLon,maxLat")
            }
            throw HTTPError(.upgradeRequired, headers: [.upgrade: "websocket"], message: "GET /v1/live is a WebSocket: send Upgrade: websocket")
        }
    }

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws("/v1/live") { request, _ in
            if let bbox = request.uri.queryParameters.get("bbox"), BoundingBox(parsing: bbox) == nil {
                return .dontUpgrade
            }
            var token = try? BearerAuthMiddleware<FleetRequestContext>.bearerToken(of: request)
            if token == nil, let query = request.uri.queryParameters.get("access_token") { token = String(query) }
            guard let token, let identity = try? await authenticator.authenticate(token: token), identity.allows(.fleetRead) else {
                return .dontUpgrade
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let box = context.request.uri.queryParameters.get("bbox").flatMap(BoundingBox.init(parsing:))
            let (id, stream) = await hub.subscribe(box: box)
            let encoder = JSONEncoder()
            do {
                let latest = try await repository.vehicles(VehicleQuery(boundingBox: box, limit: 100_000))
                let snapshot = latest.compactMap { record -> LivePosition? in
                    guard let l = record.latest else { return nil }
                    return LivePosition(
                        vehicleId: record.id, seq: l.seq, deviceTimeMs: l.deviceTimeMs, lat: l.lat, lon: l.lon, speedMps: l.speedMps,
                        headingDeg: l.headingDeg, status: l.status)
                }
                try await outbound.write(.text(String(decoding: try encoder.encode(LiveFrame(type: "snapshot", positions: snapshot)), as: UTF8.self)))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Drain (and ignore) client frames; returns when the client closes.
                        for try await _ in inbound {}
                    }
                    group.addTask {
                        for await positions in stream {
                            let frame = LiveFrame(type: "positions", positions: positions)
                            try await outbound.write(.text(String(decoding: try encoder.encode(frame), as: UTF8.self)))
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } catch {
                context.logger.debug("Live stream ended", metadata: ["error": "\(error)"])
            }
            await hub.unsubscribe(id)
        }
    }
}
