import FleetCore
import FleetHealthRules
import Testing

@Suite("MTBF and MTTR")
struct DowntimeStatisticsTests {
    let hour: Int64 = 3_600_000

    func incident(_ vehicle: String, _ cause: IncidentCause, _ start: Int64, _ end: Int64?) -> Incident {
        Incident(id: "\(vehicle)-\(start)", vehicleID: try! VehicleID(vehicle), cause: cause, startedMillis: start, endedMillis: end)
    }

    @Test("two failures of 1 h and 3 h over a 100 h window: MTTR 2 h, MTBF (100 - 4) / 2 h; pauses and offline are downtime, not failures")
    func figures() throws {
        let stats = DowntimeStatistics(
            incidents: [
                incident("a", .fault, 10 * hour, 11 * hour), incident("a", .silent, 50 * hour, 53 * hour),
                incident("a", .paused, 60 * hour, 70 * hour), incident("a", .offline, 80 * hour, 90 * hour),
            ],
            firstSeenMillis: ["a": 0], fromMillis: 0, toMillis: 100 * hour)
        #expect(stats.failures == 2)
        #expect(stats.repairs == 2)
        #expect(try #require(stats.mttrSeconds) == 2 * 3_600)
        #expect(try #require(stats.mtbfSeconds) == 48 * 3_600)
        #expect(stats.downtimeByCause[.paused] == 10 * hour)
        #expect(stats.downtimeByCause[.offline] == 10 * hour)
        #expect(abs(try #require(stats.availability) - 96.0 / 100) < 1e-12)
    }

    @Test("an open failure counts as downtime to the window end but not as a repair; none at all gives no MTBF")
    func openAndNone() {
        let open = DowntimeStatistics(
            incidents: [incident("a", .fault, 90 * hour, nil)], firstSeenMillis: ["a": 0, "b": 50 * hour], fromMillis: 0, toMillis: 100 * hour)
        #expect(open.failures == 1)
        #expect(open.repairs == 0)
        #expect(open.mttrSeconds == nil)
        #expect(open.operatingMillis == (100 + 50 - 10) * hour)
        let none = DowntimeStatistics(incidents: [], firstSeenMillis: ["a": 0], fromMillis: 0, toMillis: hour)
        #expect(none.mtbfSeconds == nil)
        #expect(none.availability == 1)
    }
}
