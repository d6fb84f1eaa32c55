import FleetCore
import Foundation

extension WebhookPayload {
    /// The `report.ready` message announcing a finished fleet report; `event` is the `report_ready` event it came from.
    static func report(_ report: ReportContext, event: FleetEvent) -> WebhookPayload {
        WebhookPayload(
            type: WebhookFields.reportReady, timestamp: Timestamp.string(Date()),
            data: Data(alert: nil, vehicle: nil, event: EventContext(event), webhookID: nil, message: nil, report: report))
    }
}

extension WebhookPayload.ReportContext {
    /// Reads a `report_ready` event (the attribute contract of ``FleetEventType/reportReady``): `report_id`, `title`,
    /// `kind`, `from_ms`, `to_ms`, `html`, `files` and `vehicles` are required, `tag` and `unavailable` optional.
    /// Values are trimmed; an empty `tag` means fleet-wide.
    init(event: FleetEvent) throws(ReportEventError) {
        guard event.type == .reportReady else {
            throw ReportEventError(.invalidValue, "type", "is \(event.type.rawValue), not report_ready")
        }
        let attributes = event.attributes
        let id = try Self.text("report_id", in: attributes)
        let title = try Self.text("title", in: attributes)
        let kind = try Self.text("kind", in: attributes)
        guard kind == "weekly" || kind == "on_demand" else {
            throw ReportEventError(.invalidValue, "kind", "must be weekly or on_demand (got \"\(kind)\")")
        }
        let from = try Self.millis("from_ms", in: attributes)
        let to = try Self.millis("to_ms", in: attributes)
        guard from < to else { throw ReportEventError(.invalidValue, "to_ms", "must be after from_ms (\(from) ≥ \(to))") }
        let html = try Self.text("html", in: attributes)
        guard html.hasPrefix("/v1/reports/") else {
            throw ReportEventError(.invalidValue, "html", "must be an API path under /v1/reports/ (got \"\(html)\")")
        }
        let files = try Self.names("files", in: attributes)
        guard !files.isEmpty else { throw ReportEventError(.invalidValue, "files", "must name at least one file") }
        let vehiclesText = try Self.text("vehicles", in: attributes)
        guard let vehicles = Int(vehiclesText), vehicles >= 0 else {
            throw ReportEventError(.invalidValue, "vehicles", "must be a count (got \"\(vehiclesText)\")")
        }
        let unavailable = try Self.names("unavailable", in: attributes)
        let tag = attributes["tag"]?.trimmingCharacters(in: .whitespaces)
        self.init(
            id: id, title: title, kind: kind, from: Timestamp.string(TimestampPolicy.date(fromMillis: from)),
            to: Timestamp.string(TimestampPolicy.date(fromMillis: to)), tag: tag?.isEmpty == false ? tag : nil,
            vehicles: vehicles, html: html, files: files, unavailable: unavailable)
    }

    /// A present, non-blank attribute, trimmed.
    private static func text(_ name: String, in attributes: [String: String]) throws(ReportEventError) -> String {
        guard let value = attributes[name] else { throw ReportEventError(.missingField, name, "is missing") }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ReportEventError(.invalidValue, name, "is empty") }
        return trimmed
    }

    /// A required Unix-milliseconds attribute within the wire format's timestamp range.
    private static func millis(_ name: String, in attributes: [String: String]) throws(ReportEventError) -> Int64 {
        let text = try Self.text(name, in: attributes)
        guard let value = Int64(text), FleetLimits.timestampMillis.contains(value) else {
            throw ReportEventError(.invalidValue, name, "must be Unix milliseconds (got \"\(text)\")")
        }
        return value
    }

    /// A comma-separated list of names (absent or empty: none); a name may not contain `/`.
    private static func names(_ name: String, in attributes: [String: String]) throws(ReportEventError) -> [String] {
        let list = (attributes[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let bad = list.first(where: { $0.contains("/") }) {
            throw ReportEventError(.invalidValue, name, "lists \"\(bad)\", which is not a plain name")
        }
        return list
    }
}
