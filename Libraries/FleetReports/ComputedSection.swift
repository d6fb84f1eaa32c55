/// One section of a ``FleetReport`` made from another service's records: its figures, or why there are none.
public struct ComputedSection<Value: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    /// The figures; nil when ``unavailable`` is set.
    public var value: Value?
    /// The figures cover only part of the records: the service stopped at its row limit.
    public var truncated: Bool
    /// Why the section has no figures.
    public var unavailable: ReportUnavailable?

    /// Figures computed from the records.
    public init(value: Value, truncated: Bool = false) {
        self.value = value
        self.truncated = truncated
        self.unavailable = nil
    }

    /// A section without figures, for `reason`.
    public init(unavailable reason: ReportUnavailable) {
        self.value = nil
        self.truncated = false
        self.unavailable = reason
    }

    enum CodingKeys: String, CodingKey {
        case value, truncated, unavailable
    }
}
