import FleetCore
import FleetService
import Foundation
import Hummingbird
import Logging

/// `POST /v1/telemetry`: the HTTP fallback for vehicles that cannot speak MQTT. One FleetCore
/// telemetry object or a JSON array of them; every element goes through the MQTT path's validator
/// and writer, and the response comes after the commit.
struct TelemetryController<Repository: TrackingRepository, Context: AuthenticatedRequestContext>: Sendable {
    let validator: TelemetryValidator
    let writer: TelemetryWriter<Repository>
    let maxItems: Int
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("telemetry", use: ingest)
    }

    @Sendable func ingest(_ request: Request, context: Context) async throws -> IngestResponse {
        let identity = try context.require(.telemetryWrite)
        let body = try await request.body.collect(upTo: maxBodyBytes)
        let bytes = Array(buffer: body)
        guard let elements = JSONArraySplitter.elements(of: bytes) else {
            throw HTTPError(.badRequest, message: "body must be a telemetry object or a JSON array of telemetry objects")
        }
        guard elements.count <= maxItems else {
            throw HTTPError(.contentTooLarge, message: "at most \(maxItems) telemetry items per request (got \(elements.count))")
        }
        let now = TimestampPolicy.millis(from: .now)
        var samples: [ReceivedTelemetry] = []
        var rejections: [Rejection] = []
        var rejected: [IngestResponse.Rejected] = []
        var indexOfSample: [Int] = []
        for (index, element) in elements.enumerated() {
            let payload = Array(element)
            switch validator.validate(payload, topicVehicle: nil, nowMillis: now) {
            case .accepted(let telemetry):
                samples.append(ReceivedTelemetry(telemetry: telemetry, receivedMillis: now, payload: payload, topic: nil))
                indexOfSample.append(index)
            case .rejected(let reason, let detail, let vehicle):
                rejections.append(
                    Rejection(reason: reason, detail: detail, source: .http, topic: nil, vehicleID: vehicle, payload: payload, receivedAtMillis: now))
                rejected.append(.init(index: index, reason: reason.rawValue, detail: detail))
            }
        }
        // A token that speaks for one vehicle writes nothing for any other: the whole request is refused, so the
        // HTTP path grants no more than the broker's per-vehicle rights.
        if let own = identity.vehicleID {
            let others = Set(samples.map(\.telemetry.vehicleID.rawValue) + rejections.compactMap(\.vehicleID)).subtracting([own])
            if !others.isEmpty {
                AuthMetrics.shared.failures.increment("vehicle")
                throw HTTPError(
                    .forbidden,
                    message: "Token \(identity.tokenID) speaks for vehicle \(own) only; the request carries telemetry of \(others.sorted().prefix(3).joined(separator: ", "))")
            }
        }
        await writer.deadLetters.record(rejections)
        var response = IngestResponse(received: elements.count, stored: 0, duplicates: 0, rejected: rejected)
        if !samples.isEmpty {
            let outcome: TelemetryWriter<Repository>.Outcome
            do {
                outcome = try await writer.write(samples, source: .http)
            } catch {
                context.logger.error("Telemetry not stored", metadata: ["error": "\(String(reflecting: error))"])
                throw HTTPError(.serviceUnavailable, message: "the database did not accept the batch; nothing was stored, retry later")
            }
            response.stored = outcome.stored
            response.duplicates = outcome.duplicates
            for rejection in outcome.rejections {
                if let position = samples.firstIndex(where: { $0.payload == rejection.payload }) {
                    response.rejected.append(.init(index: indexOfSample[position], reason: rejection.reason.rawValue, detail: rejection.detail))
                }
            }
            response.rejected.sort { $0.index < $1.index }
        }
        return response
    }
}
