import FleetCore

/// Why a `report_ready` event cannot be announced: an attribute is missing or breaks the contract.
struct ReportEventError: Error, Sendable, CustomStringConvertible {
    /// `missingField` or `invalidValue`: the rejection counter's reason.
    var kind: WireError.Kind
    /// The attribute (or `type`).
    var attribute: String
    var reason: String

    init(_ kind: WireError.Kind, _ attribute: String, _ reason: String) {
        self.kind = kind
        self.attribute = attribute
        self.reason = reason
    }

    var description: String { "report_ready attribute \(attribute) \(reason)" }
}
