import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct CMAPSSDataTests {
    static func line(unit: Int, cycle: Int, sensorBase: Double = 0) -> String {
        let settings = "-0.0007 -0.0004 100.0"
        let sensors = (1...21).map { String(sensorBase + Double($0)) }.joined(separator: " ")
        return "\(unit) \(cycle) \(settings) \(sensors)  "  // trailing spaces, as in the NASA files
    }

    @Test func parsesUnitsWithTrailingSpaces() throws {
        let text = [Self.line(unit: 1, cycle: 1), Self.line(unit: 1, cycle: 2, sensorBase: 100), Self.line(unit: 2, cycle: 1), ""]
            .joined(separator: "\n")
        let data = try CMAPSSData(text: text)
        #expect(data.unitIDs == [1, 2])
        #expect(data.units[1]?.count == 2)
        #expect(data.units[1]?[1].cycle == 2)
        #expect(data.units[1]?[1].sensors.count == 21)
        #expect(data.units[1]?[1].sensor("s2") == 102)
        #expect(data.units[1]?[0].settings == [-0.0007, -0.0004, 100])
        #expect(data.sensorRows(unit: 1, sensors: ["s2", "s21"]) == [[2, 21], [102, 121]])
        #expect(data.sensorRows(unit: 9, sensors: ["s2"]).isEmpty)
    }

    @Test func acceptsWindowsLineEndings() throws {
        let text = [Self.line(unit: 1, cycle: 1), Self.line(unit: 1, cycle: 2)].joined(separator: "\r\n") + "\r\n"
        let data = try CMAPSSData(text: text)
        #expect(data.units[1]?.map(\.cycle) == [1, 2])
    }

    @Test(arguments: [
        ("1 1 0.1 0.2", 1, "26 fields"),
        ("1 1 -0.0007 -0.0004 100.0 " + Array(repeating: "1.5", count: 20).joined(separator: " ") + " abc", 1, "not a finite number"),
        ("1 1 -0.0007 -0.0004 100.0 " + Array(repeating: "nan", count: 21).joined(separator: " "), 1, "not a finite number"),
        ("1.5 1 -0.0007 -0.0004 100.0 " + Array(repeating: "1", count: 21).joined(separator: " "), 1, "whole numbers"),
    ])
    func malformedLineIsAClearError(line: String, lineNumber: Int, reason: String) {
        do {
            _ = try CMAPSSData(text: line)
            Issue.record("'\(line)' was accepted")
        } catch let error as CMAPSSData.FormatError {
            #expect(error.line == lineNumber)
            #expect(error.reason.contains(reason), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func cycleGapIsReportedWithItsLine() {
        let text = [Self.line(unit: 3, cycle: 1), Self.line(unit: 3, cycle: 2), Self.line(unit: 3, cycle: 4)].joined(separator: "\n")
        #expect(throws: CMAPSSData.FormatError.self) { try CMAPSSData(text: text) }
        do {
            _ = try CMAPSSData(text: text)
        } catch let error as CMAPSSData.FormatError {
            #expect(error.line == 3)
            #expect(error.description.contains("cycle 4 where 3 was expected"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func readsTheNASATrainingFile() throws {
        let data = try CMAPSSData(contentsOf: TestData.cmapss.appendingPathComponent("train_FD001.txt"))
        #expect(data.unitIDs == Array(1...100))
        #expect(data.units.values.map(\.count).reduce(0, +) == 20631)
        #expect(data.units[1]?.first?.sensor("s2") == 641.82)
    }
}
