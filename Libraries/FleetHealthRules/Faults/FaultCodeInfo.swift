public import FleetCore

/// What fleet-health knows of one diagnostic trouble code.
public struct FaultCodeInfo: Sendable, Hashable, Decodable {
    /// How serious the code is on its own.
    public var severity: Severity
    /// The system it concerns: `powertrain`, `battery`, `thermal`, `emissions`, `chassis`, `body`, `network`, `sensor`
    /// or `unknown`.
    public var system: String
    /// A short human description.
    public var text: String
    /// Whether the code alone makes the vehicle unfit to drive (it opens a `fault` downtime incident).
    public var breakdown: Bool

    /// Creates an entry.
    public init(severity: Severity, system: String, text: String, breakdown: Bool) {
        self.severity = severity
        self.system = system
        self.text = text
        self.breakdown = breakdown
    }

    enum CodingKeys: String, CodingKey { case severity, system, text, breakdown }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decode(String.self, forKey: .severity)
        guard let severity = Severity(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(forKey: .severity, in: c, debugDescription: "unknown severity \(raw)")
        }
        self.init(
            severity: severity, system: try c.decode(String.self, forKey: .system), text: try c.decode(String.self, forKey: .text),
            breakdown: try c.decodeIfPresent(Bool.self, forKey: .breakdown) ?? false)
    }
}
