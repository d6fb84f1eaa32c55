public import Foundation

/// A table of speed readings: one column per sensor, one row per interval (the layout of `los_speed.csv`: a header of
/// sensor ids, then one comma-separated row of speeds per time step).
public struct SpeedTable: Hashable, Sendable {
    /// Sensor ids, from the header.
    public var sensorIDs: [String]
    /// Readings per sensor, in time order: `series[sensor][row]`, in the file's unit.
    public var series: [[Double]]

    /// Creates a table; every series must have the same length.
    public init(sensorIDs: [String], series: [[Double]]) {
        self.sensorIDs = sensorIDs
        self.series = series
    }

    /// Number of time steps.
    public var rowCount: Int { series.first?.count ?? 0 }

    /// Reads a CSV file: a header row of sensor ids, then rows of numbers, all rows as wide as the header.
    public static func read(contentsOf url: URL) throws(TrafficDataError) -> SpeedTable {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TrafficDataError("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try parse(text, name: url.lastPathComponent)
    }

    /// Parses the CSV text of ``read(contentsOf:)``; `name` appears in error messages.
    public static func parse(_ text: String, name: String = "input") throws(TrafficDataError) -> SpeedTable {
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        guard let header = lines.next() else { throw TrafficDataError("\(name) is empty") }
        let ids = header.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty }) else {
            throw TrafficDataError("\(name): the header must name every sensor")
        }
        var series = [[Double]](repeating: [], count: ids.count)
        var row = 1
        while let line = lines.next() {
            row += 1
            var column = 0
            for field in line.split(separator: ",", omittingEmptySubsequences: false) {
                guard column < ids.count else {
                    throw TrafficDataError("\(name) line \(row): more than \(ids.count) values")
                }
                guard let value = Double(field) ?? Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite,
                    value >= 0
                else {
                    throw TrafficDataError("\(name) line \(row), column \(column + 1): '\(field)' is not a speed")
                }
                series[column].append(value)
                column += 1
            }
            guard column == ids.count else {
                throw TrafficDataError("\(name) line \(row): \(column) values, expected \(ids.count)")
            }
        }
        guard row > 1 else { throw TrafficDataError("\(name) has no readings") }
        return SpeedTable(sensorIDs: ids, series: series)
    }
}

/// A traffic data file that cannot be used.
public struct TrafficDataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the file and, where known, the line.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// ``reason``.
    public var description: String { reason }
}
