import Foundation

/// One battery cell's measured discharge capacities (Ah), one per discharge cycle, oldest first.
public struct BatteryCell: Sendable, Equatable, Codable {
    /// The cell's name, e.g. `B0005`.
    public var name: String
    /// Capacity of discharge cycle 1, 2, … in Ah.
    public var capacities: [Double]

    /// A cell from its name and capacities.
    public init(name: String, capacities: [Double]) {
        self.name = name
        self.capacities = capacities
    }

    /// The first cycle (1-based) whose capacity is below `threshold`, or nil when none is (censored).
    public func endOfLife(threshold: Double) -> Int? {
        capacities.firstIndex(where: { $0 < threshold }).map { $0 + 1 }
    }

    /// Why a capacity CSV could not be read.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// What was wrong.
        public var reason: String
        /// A readable message.
        public var description: String { "battery CSV line \(line): \(reason)" }
    }

    /// Parses `battery_id,discharge_cycle,capacity_ah` rows (with that header) into cells sorted by name, each cell's
    /// capacities ordered by cycle. Cycles must run 1, 2, … without gaps.
    /// - Throws: `FormatError` naming the first bad line.
    public static func cells(csv text: String) throws -> [BatteryCell] {
        var byName: [String: [(Int, Double)]] = [:]
        var sawHeader = false
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if !sawHeader {
                guard fields == ["battery_id", "discharge_cycle", "capacity_ah"] else {
                    throw FormatError(line: index + 1, reason: "expected the header battery_id,discharge_cycle,capacity_ah")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 3, !fields[0].isEmpty, let cycle = Int(fields[1]), cycle > 0,
                let capacity = Double(fields[2]), capacity.isFinite, capacity > 0
            else { throw FormatError(line: index + 1, reason: "expected <cell>,<cycle ≥ 1>,<capacity > 0>: '\(trimmed)'") }
            byName[fields[0], default: []].append((cycle, capacity))
        }
        return try byName.keys.sorted().map { name in
            let rows = byName[name]!.sorted { $0.0 < $1.0 }
            guard rows.enumerated().allSatisfy({ $0.offset + 1 == $0.element.0 }) else {
                throw FormatError(line: 0, reason: "cell \(name): discharge cycles do not run 1…\(rows.count)")
            }
            return BatteryCell(name: name, capacities: rows.map(\.1))
        }
    }
}
