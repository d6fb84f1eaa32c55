import FleetCore
import Testing

/// A JSON payload that must be rejected, with the expected error kind and (optionally) field.
struct BadJSON: Sendable, CustomTestStringConvertible {
    let json: String
    let kind: WireError.Kind
    let field: String?

    init(_ json: String, _ kind: WireError.Kind, field: String? = nil) {
        self.json = json
        self.kind = kind
        self.field = field
    }

    var testDescription: String { "\(kind) \(field ?? ""): \(json.prefix(60))" }
}
