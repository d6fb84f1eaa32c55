import FleetService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/live[?bbox=minLon,minLat,maxLon,maxLat]`: WebSocket of position updates.
///
/// The first frame is a snapshot of the latest positions (type `snapshot`); then frames of type
/// `positions` every live interval, coalesced per vehicle. Client messages are ignored.
struct LiveController<Repository: TrackingRepository>: Sendable {
    let hub: LiveHub
    let repository: Repository

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws("/v1/live") { request, _ in
            if let bbox = request.uri.queryParameters.get("bbox"), BoundingBox(parsing: bbox) == nil {
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
