import Foundation

/// A NASA C-MAPSS turbofan file (`train_FD001.txt`, `test_FD001.txt`, …): whitespace-separated rows
/// `unit cycle op1 op2 op3 s1 … s21` (26 numbers, trailing spaces allowed), grouped by unit.
///
/// The fleet simulator replays a unit's rows as live sensor readings; the RUL model and its evaluation read
/// the same structure.
public struct CMAPSSData: Sendable, Equatable {
    /// One engine cycle: the cycle number (from 1), the three operating settings and the 21 sensors `s1…s21`.
    public struct Row: Sendable, Equatable {
        /// Cycle number within the unit, counted from 1.
        public var cycle: Int
        /// Operating settings `op1…op3`.
        public var settings: [Double]
        /// Sensors `s1…s21` in file order (`sensors[0]` is `s1`).
        public var sensors: [Double]

        /// A row from its parts; `sensors` must hold 21 values.
        public init(cycle: Int, settings: [Double], sensors: [Double]) {
            self.cycle = cycle
            self.settings = settings
            self.sensors = sensors
        }

        /// The value of sensor `name` (`"s1"` … `"s21"`), or nil for another name.
        public func sensor(_ name: String) -> Double? {
            guard let index = CMAPSSData.sensorIndex(name) else { return nil }
            return sensors[index]
        }
    }

    /// Why a file could not be read: the 1-based line number and what was wrong with it.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number in the file or text.
        public var line: Int
        /// What was wrong.
        public var reason: String

        /// A readable message: `line N: reason`.
        public var description: String { "C-MAPSS line \(line): \(reason)" }
    }

    /// Rows of each unit, in file order (oldest cycle first).
    public var units: [Int: [Row]]

    /// The unit numbers in ascending order.
    public var unitIDs: [Int] { units.keys.sorted() }

    /// Units and their rows, as given.
    public init(units: [Int: [Row]]) {
        self.units = units
    }

    /// Parses the text of a C-MAPSS file. Blank lines are skipped; any other line must hold 26 finite numbers with
    /// whole positive unit and cycle numbers, and a unit's cycles must increase by one from 1.
    /// - Throws: `FormatError` naming the first bad line.
    public init(text: String) throws {
        var units: [Int: [Row]] = [:]
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 26 else {
                throw FormatError(line: lineNumber, reason: "expected 26 fields (unit cycle op1-3 s1-21), found \(fields.count)")
            }
            var values: [Double] = []
            values.reserveCapacity(26)
            for (i, field) in fields.enumerated() {
                guard let value = Double(field), value.isFinite else {
                    throw FormatError(line: lineNumber, reason: "field \(i + 1) is not a finite number: '\(field)'")
                }
                values.append(value)
            }
            guard let unit = Int(exactly: values[0]), unit > 0, let cycle = Int(exactly: values[1]), cycle > 0 else {
                throw FormatError(line: lineNumber, reason: "unit and cycle must be positive whole numbers")
            }
            let expected = (units[unit]?.last?.cycle ?? 0) + 1
            guard cycle == expected else {
                throw FormatError(line: lineNumber, reason: "unit \(unit): cycle \(cycle) where \(expected) was expected")
            }
            units[unit, default: []].append(Row(cycle: cycle, settings: Array(values[2..<5]), sensors: Array(values[5...])))
        }
        self.units = units
    }

    /// Reads and parses a C-MAPSS file.
    /// - Throws: the file system's error, or `FormatError`.
    public init(contentsOf url: URL) throws {
        try self.init(text: String(contentsOf: url, encoding: .utf8))
    }

    /// Index into `Row.sensors` of a sensor name `"s1"` … `"s21"`.
    public static func sensorIndex(_ name: String) -> Int? {
        guard name.first == "s", let n = Int(name.dropFirst()), (1...21).contains(n) else { return nil }
        return n - 1
    }

    /// The chosen sensors of each of `unit`'s rows, oldest first: the input `RULModel.predict(cycles:)` takes.
    /// Returns an empty array for an unknown unit; unknown sensor names are a programming error.
    public func sensorRows(unit: Int, sensors names: [String]) -> [[Double]] {
        let indices = names.map { name -> Int in
            guard let i = Self.sensorIndex(name) else { preconditionFailure("unknown C-MAPSS sensor \(name)") }
            return i
        }
        return (units[unit] ?? []).map { row in indices.map { row.sensors[$0] } }
    }
}
