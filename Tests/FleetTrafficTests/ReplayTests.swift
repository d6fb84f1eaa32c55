import FleetTraffic
import Testing

@Suite("Replay on Los Angeles loop-detector speeds")
struct ReplayTests {
    @Test("The real week finds slow-downs and detects most of them with a sensible delay")
    func losAngeles() throws {
        let result = try LosAngelesReplay.run(dataDirectory: SharedData.traffic)
        #expect(result.sensors == 207)
        #expect(result.readingsPerSensor == 2_016)
        #expect(abs(result.days - 7) < 1e-9)
        #expect(result.slowDowns > 0)
        #expect(result.jamsFlagged > 0)
        #expect(result.slowDownsDetected <= result.slowDowns)
        #expect(result.falseAlarms <= result.jamsFlagged)
        #expect(result.falseAlarmsOnShortDips <= result.falseAlarms)
        #expect(result.detectionRate > 0.5)
        let median = try #require(result.medianDetectionDelayMinutes)
        let p90 = try #require(result.p90DetectionDelayMinutes)
        #expect(median >= 0 && median <= p90 && p90 <= 60)
        #expect(abs(result.jamsPerDay - Double(result.jamsFlagged) / 7) < 1e-9)
    }

    @Test("Scoring on a synthetic sensor: a slow-down detected 10 minutes in, a 15-minute dip too, a 10-minute one flagged only with 2 samples")
    func synthetic() throws {
        var readings = [Double](repeating: 60, count: 200)
        for row in 50..<62 { readings[row] = 10 }  // an hour below 40 %
        readings[120] = 10  // a single slow reading: nothing
        readings[150] = 10  // two slow readings: no slow-down
        readings[151] = 10
        for row in 180..<183 { readings[row] = 10 }  // three: the shortest slow-down
        let result = LosAngelesReplay.evaluate(series: [readings])
        #expect(result.slowDowns == 2)
        #expect(result.jamsFlagged == 2)
        #expect(result.slowDownsDetected == 2)
        #expect(result.falseAlarms == 0)
        #expect(result.jamsOpenAtEnd == 0)
        #expect(result.medianDetectionDelayMinutes == 10)
        // Two samples suffice: detected 5 minutes in, and the 10-minute dip becomes a false alarm.
        let eager = LosAngelesReplay.evaluate(
            series: [readings], configuration: .init(jams: .init(minimumSamples: 2)))
        #expect(eager.jamsFlagged == 3)
        #expect(eager.slowDownsDetected == 2)
        #expect(eager.falseAlarms == 1)
        #expect(eager.falseAlarmsOnShortDips == 1)
        #expect(eager.medianDetectionDelayMinutes == 5)
    }

    @Test("A malformed file is refused with its line")
    func malformed() {
        #expect(throws: TrafficDataError.self) { try SpeedTable.parse("a,b\n1,2\n3\n") }
        #expect(throws: TrafficDataError.self) { try SpeedTable.parse("a,b\n1,x\n") }
        #expect(throws: TrafficDataError.self) { try SpeedTable.parse("") }
        #expect((try? SpeedTable.parse("a,b\n1,2\n3,4\n"))?.series == [[1, 3], [2, 4]])
    }
}
