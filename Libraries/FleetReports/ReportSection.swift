/// One other service's contribution to a ``ReportInput``: its records for the period, or why there are none.
public struct ReportSection<Record: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    /// The records (empty when ``unavailable`` is set).
    public var records: [Record]
    /// The service stopped at its row limit: the records are only the first part.
    public var truncated: Bool
    /// Why the section has no records; nil when the service answered.
    public var unavailable: ReportUnavailable?

    /// The records a service answered with.
    public init(records: [Record], truncated: Bool = false) {
        self.records = records
        self.truncated = truncated
        self.unavailable = nil
    }

    /// A section without records, for `reason`.
    public init(unavailable reason: ReportUnavailable) {
        self.records = []
        self.truncated = false
        self.unavailable = reason
    }

    /// The records of one kind from a service's `GET /v1/report-data` answer, with its `truncated` flag.
    public init(_ data: ReportData, _ records: KeyPath<ReportData, [Record]>) {
        self.init(records: data[keyPath: records], truncated: data.truncated)
    }

    /// Whether the service answered.
    public var isAvailable: Bool { unavailable == nil }

    /// The section's figures computed from its records by `compute`, or its reason when it is unavailable.
    func map<Value: Sendable & Codable & Hashable>(_ compute: ([Record]) -> Value) -> ComputedSection<Value> {
        if let unavailable { return ComputedSection(unavailable: unavailable) }
        return ComputedSection(value: compute(records), truncated: truncated)
    }

    /// The section with only the records for which `isIncluded` is true.
    func filter(_ isIncluded: (Record) -> Bool) -> ReportSection {
        var section = self
        section.records = records.filter(isIncluded)
        return section
    }

    enum CodingKeys: String, CodingKey {
        case records, truncated, unavailable
    }
}
