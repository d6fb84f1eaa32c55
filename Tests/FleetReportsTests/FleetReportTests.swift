@testable import FleetReports
import Foundation
import Testing

/// The report's figures for ``ReportFixture``, each worked out by hand from the fixture's numbers.
@Suite("Fleet report figures")
struct FleetReportTests {
    let report = FleetReport(input: ReportFixture.input())

    @Test("fleet totals: vehicles, active, distance, driving time, utilisation, stops, battery, fuel, samples, downtime")
    func totals() {
        let totals = report.totals
        #expect(totals.vehicles == 3)
        #expect(totals.activeVehicles == 2)
        #expect(approximately(totals.distanceKm, 200))
        #expect(approximately(totals.drivingHours, 15))
        // 54,000 s driving ÷ (3 vehicles × 604,800 s).
        #expect(approximately(totals.utilisation, 54_000.0 / 1_814_400.0))
        #expect(totals.stops == 20)
        #expect(approximately(totals.batteryUsedPct, 65.5))
        #expect(approximately(totals.fuelUsedPct, 10))
        #expect(totals.samples == 1500)
        // 2 + 1 + 4 + 3 (the offline episode clipped at the end; the charging one before the period ignored).
        #expect(approximately(totals.downtimeHours, 10))
    }

    @Test("per tag: a vehicle counts in each of its tags, untagged vehicles last")
    func perTag() throws {
        #expect(report.tags.map(\.label) == ["north", "vans", "(untagged)"])
        let north = report.tags[0].totals
        #expect(north.vehicles == 1)
        #expect(approximately(north.distanceKm, 120))
        #expect(approximately(north.utilisation, 36_000.0 / 604_800.0))
        let vans = report.tags[1].totals
        #expect(vans.vehicles == 2 && vans.activeVehicles == 2)
        #expect(approximately(vans.distanceKm, 200))
        #expect(approximately(vans.drivingHours, 15))
        #expect(approximately(vans.utilisation, 54_000.0 / 1_209_600.0))
        #expect(vans.stops == 20)
        #expect(approximately(vans.batteryUsedPct, 65.5))
        let untagged = report.tags[2]
        #expect(untagged.tag == nil)
        #expect(untagged.totals.vehicles == 1 && untagged.totals.activeVehicles == 0)
        #expect(untagged.totals.utilisation == 0)
        #expect(untagged.totals.batteryUsedPct == nil && untagged.totals.fuelUsedPct == nil)
    }

    @Test("per vehicle rows, by id, with downtime per cause and the other services' figures")
    func perVehicle() throws {
        #expect(report.vehicles.map(\.vehicleID) == ["bot-3", "van-1", "van-2"])
        let van2 = report.vehicles[2]
        #expect(van2.tags == ["vans"])
        #expect(approximately(van2.distanceKm, 80))
        #expect(approximately(van2.drivingHours, 5))
        #expect(approximately(van2.utilisation, 18_000.0 / 604_800.0))
        #expect(van2.downtime.map(\.cause) == DowntimeCause.allCases)
        #expect(approximately(van2.downtimeHours(.fault), 4))
        #expect(approximately(van2.downtimeHours(.offline), 3))
        #expect(van2.downtimeHours(.charging) == 0)
        #expect(van2.failures == 2)
        #expect(van2.incidents == 2)
        #expect(van2.alerts == 3)
        #expect(van2.healthScore == 35.5)
        #expect(van2.maintenanceDueMillis == nil)
        let van1 = report.vehicles[1]
        #expect(van1.tags == ["north", "vans"])
        #expect(van1.failures == 2)
        #expect(van1.incidents == 1)
        // a1, a2, a7 (a9 was raised before the period).
        #expect(van1.alerts == 3)
        #expect(van1.maintenanceDueMillis == ReportFixture.to + 7 * ReportFixture.day)
        let bot3 = report.vehicles[0]
        #expect(bot3.failures == 0 && bot3.utilisation == 0)
        #expect(bot3.batteryUsedPct == nil)
        #expect(bot3.alerts == 1 && bot3.incidents == 1)
    }

    @Test("downtime by cause: episodes, hours, MTTR and MTBF; nil without episodes")
    func downtime() throws {
        let downtime = report.downtime
        // 3 × 168 h − 10 h of downtime.
        #expect(approximately(downtime.availableHours, 494))
        #expect(downtime.byCause.compactMap(\.cause) == DowntimeCause.allCases && downtime.byCause.count == 4)
        let fault = downtime.byCause[0]
        #expect(fault.episodes == 2)
        #expect(approximately(fault.downtimeHours, 6))
        #expect(approximately(fault.mttrHours, 3))
        #expect(approximately(fault.mtbfHours, 247))
        let paused = downtime.byCause[1]
        #expect(paused.episodes == 1 && approximately(paused.mttrHours, 1) && approximately(paused.mtbfHours, 494))
        let charging = downtime.byCause[2]
        #expect(charging.episodes == 0)
        #expect(charging.downtimeHours == 0)
        #expect(charging.mttrHours == nil)
        #expect(charging.mtbfHours == nil)
        let offline = downtime.byCause[3]
        #expect(offline.episodes == 1 && approximately(offline.downtimeHours, 3) && approximately(offline.mtbfHours, 494))
        #expect(downtime.all.cause == nil)
        #expect(downtime.all.episodes == 4)
        #expect(approximately(downtime.all.downtimeHours, 10))
        #expect(approximately(downtime.all.mttrHours, 2.5))
        #expect(approximately(downtime.all.mtbfHours, 123.5))
    }

    @Test("alerts by type: counts as of the period's end, time to acknowledge mean, median and p90 (nearest-rank)")
    func alerts() throws {
        let alerts = try #require(report.alerts.value)
        #expect(alerts.byType.map(\.label) == ["low_battery", "overspeed", "service_down"])
        let lowBattery = alerts.byType[0]
        #expect(lowBattery.alerts == 5)
        #expect(lowBattery.acknowledged == 4)
        #expect(lowBattery.unacknowledgedAtEnd == 1)
        // 10, 30, 60, 120 s.
        #expect(approximately(lowBattery.ackMeanSeconds, 55))
        #expect(approximately(lowBattery.ackMedianSeconds, 30))
        #expect(approximately(lowBattery.ackP90Seconds, 120))
        let overspeed = alerts.byType[1]
        // a7 was acknowledged after the period's end.
        #expect(overspeed.alerts == 2 && overspeed.acknowledged == 0 && overspeed.unacknowledgedAtEnd == 2)
        #expect(overspeed.ackMeanSeconds == nil && overspeed.ackMedianSeconds == nil && overspeed.ackP90Seconds == nil)
        let serviceDown = alerts.byType[2]
        #expect(serviceDown.alerts == 1 && serviceDown.acknowledged == 1)
        #expect(approximately(serviceDown.ackMedianSeconds, 600) && approximately(serviceDown.ackP90Seconds, 600))
        // 10, 30, 60, 120, 600 s.
        #expect(alerts.all.alerts == 8)
        #expect(alerts.all.acknowledged == 5 && alerts.all.unacknowledgedAtEnd == 3)
        #expect(approximately(alerts.all.ackMeanSeconds, 164))
        #expect(approximately(alerts.all.ackMedianSeconds, 60))
        #expect(approximately(alerts.all.ackP90Seconds, 600))
        #expect(alerts.platformAlerts == 1)
    }

    @Test("commands by action: outcomes and answer latency median and p90")
    func commands() throws {
        let commands = try #require(report.commands.value)
        #expect(commands.byAction.map(\.label) == ["pause", "resume"])
        let pause = commands.byAction[0]
        #expect(pause.issued == 4)
        #expect(pause.acknowledged == 2 && pause.expired == 1 && pause.other == 1)
        #expect(pause.rejected == 0 && pause.failed == 0 && pause.pending == 0)
        // 3, 5, 12 ms.
        #expect(pause.answered == 3)
        #expect(pause.latencyMedianMillis == 5)
        #expect(pause.latencyP90Millis == 12)
        let resume = commands.byAction[1]
        #expect(resume.issued == 2 && resume.rejected == 1 && resume.failed == 1)
        #expect(resume.latencyMedianMillis == 8 && resume.latencyP90Millis == 40)
        // 3, 5, 8, 12, 40 ms; c7 (issued at the period's end) excluded.
        #expect(commands.all.issued == 6)
        #expect(commands.all.latencyMedianMillis == 8)
        #expect(commands.all.latencyP90Millis == 40)
    }

    @Test("incidents by kind and severity, open at the end, mean time to close")
    func incidents() throws {
        let incidents = try #require(report.incidents.value)
        #expect(incidents.groups.map(\.label) == ["fault", "overheating"])
        let fault = incidents.groups[0]
        #expect(fault.severity == "critical")
        #expect(fault.incidents == 2 && fault.openAtEnd == 0 && fault.closed == 2)
        #expect(approximately(fault.meanTimeToCloseHours, 3))
        let overheating = incidents.groups[1]
        #expect(overheating.incidents == 2 && overheating.openAtEnd == 2 && overheating.closed == 0)
        #expect(overheating.meanTimeToCloseHours == nil)
        #expect(incidents.all.incidents == 4)
        #expect(incidents.all.openAtEnd == 2)
        #expect(approximately(incidents.all.meanTimeToCloseHours, 3))
    }

    @Test("worst health by score then id; maintenance due before the end + 14 days, by date")
    func health() throws {
        let health = try #require(report.health.value)
        #expect(health.worst.map(\.vehicleID) == ["bot-3", "van-2", "van-1", "ghost-9"])
        #expect(health.maintenanceDue.map(\.vehicleID) == ["ghost-9", "van-1"])
        #expect(health.maintenanceHorizonMillis == ReportFixture.to + 14 * ReportFixture.day)
        #expect(health.vehicles == 4)
        #expect(approximately(health.meanScore, 60.25))
    }

    @Test("the worst-health list stops at 10 vehicles; a vehicle with two records keeps its lowest score")
    func worstHealthLimit() throws {
        var input = ReportFixture.emptyInput()
        var records = (1...12).map { VehicleHealthRecord(vehicleID: "v\($0 < 10 ? "0" : "")\($0)", score: Double(100 - $0), maintenanceDueMillis: nil, reason: nil) }
        records.append(VehicleHealthRecord(vehicleID: "v01", score: 5, maintenanceDueMillis: nil, reason: "second record"))
        input.health = ReportSection(records: records)
        let health = try #require(FleetReport(input: input).health.value)
        #expect(health.worst.count == 10)
        #expect(health.worst.first?.vehicleID == "v01" && health.worst.first?.score == 5)
        #expect(health.worst.map(\.vehicleID).dropFirst().first == "v12")
        #expect(!health.worst.contains { $0.vehicleID == "v02" || $0.vehicleID == "v03" })
        #expect(health.vehicles == 12)
    }

    @Test("routing: plans, stops, on-time rate; records outside the period ignored")
    func routing() throws {
        let routing = try #require(report.routing.value)
        #expect(routing.inUse)
        #expect(routing.plans == 2)
        #expect(routing.routes.map(\.id) == ["r1", "r2"])
        #expect(routing.vehicles == 3)
        #expect(routing.stops == 15 && routing.served == 12 && routing.onTime == 10 && routing.late == 2)
        #expect(approximately(routing.onTimeRate, 10.0 / 12.0))
        #expect(approximately(routing.routes[0].onTimeRate, 0.75))
    }

    @Test("daily series sorted by day, in kilometres and hours")
    func daily() {
        #expect(report.daily.map(\.dayStartMillis) == (0..<7).map { ReportFixture.from + Int64($0) * ReportFixture.day })
        #expect(report.daily.map(\.distanceKm) == ReportFixture.dailyKilometres)
        #expect(approximately(report.daily[0].drivingHours, 30 * 270 / 3600))
    }

    @Test("a tag filter keeps only the tag's vehicles and their records; platform alerts and route plans left out")
    func tagFilter() throws {
        let vans = FleetReport(input: ReportFixture.input(tag: "vans"))
        #expect(vans.tag == "vans")
        #expect(vans.vehicles.map(\.vehicleID) == ["van-1", "van-2"])
        #expect(vans.totals.vehicles == 2)
        #expect(approximately(vans.totals.utilisation, 54_000.0 / 1_209_600.0))
        #expect(vans.tags.map(\.label) == ["north", "vans"])
        // (2 × 168 h − 10 h) ÷ 2 fault episodes.
        #expect(approximately(vans.downtime.byCause[0].mtbfHours, 163))
        let alerts = try #require(vans.alerts.value)
        #expect(alerts.byType.map(\.label) == ["low_battery", "overspeed"])
        #expect(alerts.platformAlerts == 0)
        // a1, a2, a3 acknowledged after 60, 30, 120 s; a4 not.
        let lowBattery = alerts.byType[0]
        #expect(lowBattery.alerts == 4 && lowBattery.acknowledged == 3)
        #expect(approximately(lowBattery.ackMeanSeconds, 70))
        #expect(approximately(lowBattery.ackMedianSeconds, 60))
        #expect(approximately(lowBattery.ackP90Seconds, 120))
        let commands = try #require(vans.commands.value)
        #expect(commands.all.issued == 5)
        #expect(commands.byAction[1].issued == 1 && commands.byAction[1].failed == 0)
        #expect(vans.incidents.value?.all.incidents == 3)
        let health = try #require(vans.health.value)
        #expect(health.worst.map(\.vehicleID) == ["van-2", "van-1"])
        #expect(health.maintenanceDue.map(\.vehicleID) == ["van-1"])
        #expect(vans.routing.value == nil)
        #expect(vans.routing.unavailable?.reason == .fleetWideOnly)

        let north = FleetReport(input: ReportFixture.input(tag: "north"))
        #expect(north.vehicles.map(\.vehicleID) == ["van-1"])
        let northAlerts = try #require(north.alerts.value)
        #expect(approximately(northAlerts.byType[0].ackMeanSeconds, 45))
        #expect(approximately(northAlerts.byType[0].ackMedianSeconds, 30))
        #expect(approximately(northAlerts.byType[0].ackP90Seconds, 60))
        #expect(northAlerts.byType[1].alerts == 1 && northAlerts.byType[1].unacknowledgedAtEnd == 1)

        let nobody = FleetReport(input: ReportFixture.input(tag: "no-such-tag"))
        #expect(nobody.vehicles.isEmpty && nobody.totals.utilisation == nil)
        #expect(nobody.alerts.value?.all.alerts == 0)
    }

    @Test("an empty period: every mean, median, rate and ratio is nil, never 0 or infinity")
    func emptyReport() throws {
        let empty = FleetReport(input: ReportFixture.emptyInput())
        #expect(empty.totals.vehicles == 0)
        #expect(empty.totals.utilisation == nil)
        #expect(empty.totals.batteryUsedPct == nil && empty.totals.fuelUsedPct == nil)
        #expect(empty.tags.isEmpty)
        #expect(empty.downtime.all.mtbfHours == nil && empty.downtime.all.mttrHours == nil)
        #expect(empty.alerts.value?.all.ackMedianSeconds == nil)
        #expect(empty.alerts.value?.all.ackMeanSeconds == nil)
        #expect(empty.commands.value?.all.latencyP90Millis == nil)
        #expect(empty.incidents.value?.all.meanTimeToCloseHours == nil)
        #expect(empty.health.value?.meanScore == nil)
        let routing = try #require(empty.routing.value)
        #expect(!routing.inUse)
        #expect(routing.onTimeRate == nil)
        // A reversed period has no length: no utilisation rather than a division by zero.
        var reversed = ReportFixture.input()
        reversed.period = ReportPeriod(fromMillis: ReportFixture.to, toMillis: ReportFixture.from)
        let report = FleetReport(input: reversed)
        #expect(report.totals.utilisation == nil)
        #expect(report.downtime.all.episodes == 0 && report.downtime.all.mtbfHours == nil)
    }

    @Test("unavailable and truncated sections carry their reason and flag; per-vehicle figures become nil")
    func unavailableSections() throws {
        var input = ReportFixture.input()
        input.alerts = ReportSection(unavailable: .requestFailed("fleet-alerting", message: "timed out"))
        input.health = ReportSection(unavailable: .notConfigured("fleet-health"))
        input.commands = ReportSection(records: ReportFixture.commands, truncated: true)
        let report = FleetReport(input: input)
        #expect(report.alerts.value == nil)
        #expect(report.alerts.unavailable?.explanation == "request to fleet-alerting failed: timed out")
        #expect(report.health.unavailable?.explanation == "fleet-health is not configured")
        #expect(report.commands.truncated)
        #expect(report.commands.value?.all.issued == 6)
        #expect(report.vehicles.allSatisfy { $0.alerts == nil && $0.healthScore == nil })
        #expect(report.vehicles.allSatisfy { $0.incidents != nil })
        #expect(report.unavailableSections.map { $0.name } == ["Alerts", "Health"])
    }

    @Test("nearest-rank percentiles")
    func percentiles() {
        let ten = Array(1...10)
        #expect(ReportStatistics.percentile(ten, 50) == 5)
        #expect(ReportStatistics.percentile(ten, 90) == 9)
        #expect(ReportStatistics.percentile(Array(1...20), 90) == 18)
        #expect(ReportStatistics.percentile(Array(1...4), 50) == 2)
        #expect(ReportStatistics.percentile(Array(1...5), 50) == 3)
        #expect(ReportStatistics.percentile([7], 90) == 7)
        #expect(ReportStatistics.percentile([Int](), 50) == nil)
        #expect(ReportStatistics.percentile(ten, 100) == 10)
    }

    @Test("input and report round-trip through JSON with snake_case keys")
    func codable() throws {
        var input = ReportFixture.input(tag: "vans")
        input.alerts = ReportSection(unavailable: .requestFailed("fleet-alerting", message: "HTTP 503"))
        let inputJSON = try JSONEncoder().encode(input)
        #expect(try JSONDecoder().decode(ReportInput.self, from: inputJSON) == input)
        let inputText = String(decoding: inputJSON, as: UTF8.self)
        for key in ["\"generated_ms\"", "\"vehicles_truncated\"", "\"request_failed\"", "\"from_ms\""] {
            #expect(inputText.contains(key), "\(key)")
        }

        let report = FleetReport(input: ReportFixture.input())
        let reportJSON = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(FleetReport.self, from: reportJSON) == report)
        let reportText = String(decoding: reportJSON, as: UTF8.self)
        for key in ["\"by_type\"", "\"ack_median_s\"", "\"mtbf_h\"", "\"maintenance_due\"", "\"on_time_rate\"", "\"distance_km\""] {
            #expect(reportText.contains(key), "\(key)")
        }
    }

    @Test("a section from a service's report-data answer keeps its records and truncated flag")
    func sectionFromReportData() {
        let data = ReportData(period: ReportFixture.period, alerts: Array(ReportFixture.alerts.prefix(2)), truncated: true)
        let section = ReportSection(data, \.alerts)
        #expect(section.records.map(\.id) == ["a1", "a2"])
        #expect(section.truncated)
        #expect(section.isAvailable)
    }
}
