import FleetCore
import Foundation

/// The JSON body of a webhook message (Standard Webhooks shape): `type`, `timestamp`, `data`.
struct WebhookPayload: Codable, Sendable {
    /// The event that triggered the message, as received.
    struct EventContext: Codable, Sendable, Equatable {
        var id: String
        var type: String
        var severity: String
        var vehicleID: String?
        var time: String
        var attributes: [String: String]

        enum CodingKeys: String, CodingKey {
            case id, type, severity, time, attributes
            case vehicleID = "vehicle_id"
        }

        init(_ event: FleetEvent) {
            id = event.id.rawValue
            type = event.type.rawValue
            severity = event.severity.rawValue
            vehicleID = event.vehicleID?.rawValue
            time = Timestamp.string(event.time)
            attributes = event.attributes
        }
    }

    /// The vehicle the alert concerns, with the context its events carried (tags, position attributes…).
    struct VehicleContext: Codable, Sendable, Equatable {
        var id: String
        var tags: [String]
        var attributes: [String: String]
    }

    /// A finished fleet report (`report.ready`), from fleet-tracking's `report_ready` event
    /// (``init(event:)`` in `WebhookPayload+Report.swift`).
    struct ReportContext: Codable, Sendable, Equatable {
        var id: String
        var title: String
        /// `weekly` or `on_demand`.
        var kind: String
        /// The period, ISO 8601: `from` included, `to` excluded.
        var from: String
        var to: String
        /// The tag the report is limited to; absent for a fleet-wide report.
        var tag: String?
        /// Vehicles in the report.
        var vehicles: Int
        /// API path of the HTML page (fleet-tracking, `fleet:read`).
        var html: String
        /// File names, each served at `/v1/reports/{id}/files/{name}`.
        var files: [String]
        /// Sections without data (a service did not answer); empty when the report is complete.
        var unavailable: [String]
    }

    struct Data: Codable, Sendable {
        var alert: AlertResource?
        var vehicle: VehicleContext?
        var event: EventContext?
        var webhookID: String?
        var message: String?
        var report: ReportContext? = nil

        enum CodingKeys: String, CodingKey {
            case alert, vehicle, event, message, report
            case webhookID = "webhook_id"
        }
    }

    /// `alert.firing`, `alert.acknowledged`, `alert.resolved`, `alert.escalated`, `report.ready` or `webhook.test`.
    var type: String
    /// When the message was created (ISO 8601).
    var timestamp: String
    var data: Data

    /// The message for an alert transition.
    static func alert(_ type: String, alert: AlertResource, event: FleetEvent?) -> WebhookPayload {
        let vehicle = alert.vehicleID.map { id in
            let tags = alert.attributes["tags"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return VehicleContext(id: id, tags: tags ?? alert.attributes["tag"].map { [$0] } ?? [], attributes: alert.attributes)
        }
        return WebhookPayload(
            type: type, timestamp: Timestamp.string(Date()),
            data: Data(alert: alert, vehicle: vehicle, event: event.map(EventContext.init), webhookID: nil, message: nil))
    }

    /// The message `POST /v1/webhooks/{id}/test` sends.
    static func ping(webhookID: String) -> WebhookPayload {
        WebhookPayload(
            type: "webhook.test", timestamp: Timestamp.string(Date()),
            data: Data(alert: nil, vehicle: nil, event: nil, webhookID: webhookID, message: "Test message from fleet-alerting"))
    }

    /// The exact bytes sent (and signed) on every attempt.
    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
