import Testing

@testable import FleetTracking

@Suite("Committed-sequence acknowledgement schedule")
struct CommitScheduleTests {
    let start = ContinuousClock.now

    func at(_ millis: Int) -> ContinuousClock.Instant { start.advanced(by: .milliseconds(millis)) }

    @Test("A vehicle's first acknowledgement is due at once; the next one an interval later, with the newest watermark")
    func perVehicleInterval() {
        var schedule = CommitSchedule(interval: .seconds(1))
        schedule.record(["a": 1, "b": 4])
        #expect(Dictionary(uniqueKeysWithValues: schedule.takeDue(at: at(0)).map { ($0.vehicle, $0.sequence) }) == ["a": 1, "b": 4])
        schedule.record(["a": 2])
        schedule.record(["a": 3, "b": 2])  // a stale watermark of b never lowers it
        #expect(schedule.takeDue(at: at(400)).isEmpty)
        #expect(schedule.takeDue(at: at(999)).isEmpty)
        let due = Dictionary(uniqueKeysWithValues: schedule.takeDue(at: at(1_000)).map { ($0.vehicle, $0.sequence) })
        #expect(due == ["a": 3, "b": 2])
        #expect(schedule.pending.isEmpty)
    }

    @Test("A vehicle not acknowledged within the interval is acknowledged as soon as its batch commits")
    func independentVehicles() {
        var schedule = CommitSchedule(interval: .seconds(1))
        schedule.record(["a": 1])
        _ = schedule.takeDue(at: at(0))
        schedule.record(["b": 7, "a": 2])
        #expect(schedule.takeDue(at: at(300)).map(\.vehicle) == ["b"])
        #expect(schedule.pending == ["a": 2])
    }

    @Test("Shutdown takes everything; old send times are forgotten")
    func allAndPruning() {
        var schedule = CommitSchedule(interval: .seconds(1))
        schedule.record(["a": 1, "b": 1])
        _ = schedule.takeDue(at: at(0))
        schedule.record(["a": 2])
        #expect(schedule.takeDue(at: at(10), all: true).map(\.sequence) == [2])
        _ = schedule.takeDue(at: at(5_000))
        #expect(schedule.lastSent.isEmpty)
    }
}
