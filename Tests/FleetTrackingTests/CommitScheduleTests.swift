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

    @Test("Randomised: the same acknowledgements as scanning every waiting vehicle at every tick")
    func matchesTheScan() {
        /// The rule stated plainly: a pending vehicle is due when its last acknowledgement is missing or an interval old.
        struct Scan {
            var pending: [String: Int64] = [:]
            var lastSent: [String: ContinuousClock.Instant] = [:]
            mutating func takeDue(at now: ContinuousClock.Instant, interval: Duration, all: Bool) -> [String: Int64] {
                let due = pending.filter { all || lastSent[$0.key].map { now - $0 >= interval } ?? true }
                for vehicle in due.keys {
                    pending[vehicle] = nil
                    lastSent[vehicle] = now
                }
                return due
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var schedule = CommitSchedule(interval: .milliseconds(100))
            var scan = Scan()
            var millis = 0
            var sequences: [String: Int64] = [:]
            for step in 0..<400 {
                var batch: [String: Int64] = [:]
                for _ in 0..<Int.random(in: 0...6, using: &generator) {
                    let vehicle = "v\(Int.random(in: 0..<15, using: &generator))"
                    // Usually newer, sometimes a stale watermark (lower than the last one).
                    let sequence = (sequences[vehicle] ?? 0) + Int64.random(in: -2...3, using: &generator)
                    sequences[vehicle] = max(sequences[vehicle] ?? 0, sequence)
                    batch[vehicle] = max(batch[vehicle] ?? .min, sequence)
                }
                schedule.record(batch)
                scan.pending.merge(batch) { max($0, $1) }
                millis += Int.random(in: 0...60, using: &generator)
                let all = step % 97 == 96
                let taken = schedule.takeDue(at: at(millis), all: all)
                #expect(Dictionary(uniqueKeysWithValues: taken.map { ($0.vehicle, $0.sequence) }) == scan.takeDue(at: at(millis), interval: .milliseconds(100), all: all))
                #expect(schedule.pending == scan.pending)
            }
            // Memory: nothing is remembered of vehicles acknowledged more than an interval ago.
            _ = schedule.takeDue(at: at(millis + 1_000))
            #expect(schedule.pending.isEmpty)
            _ = schedule.takeDue(at: at(millis + 2_000))
            #expect(schedule.lastSent.isEmpty)
        }
    }
}
