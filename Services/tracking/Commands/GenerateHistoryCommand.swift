import ArgumentParser
import FleetCore
import FleetReports
import Foundation

/// `fleet-tracking generate-history`: a week (or any number of days) of realistic fleet telemetry, written straight into
/// tracking's tables, for reports and archive tests and demos.
struct GenerateHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-history",
        abstract: "Write realistic fleet history (shifts, trips, stops, charging, faults, pauses, silences) into tracking's tables.",
        discussion: """
            Uses the service's environment (FLEET_POSTGRES_*, FLEET_TRACKING_SCHEMA). Vehicles are named <prefix>-00000… and
            tagged north/south, vans/trucks and night; rows already present are kept, so a run can be repeated.
            """)

    @Option(help: "Vehicles.") var vehicles = 100
    @Option(help: "Days.") var days = 7
    @Option(help: "First day, YYYY-MM-DD (UTC); default: the Monday of the last complete week.") var start: String?
    @Option(help: "Seed of the generator.") var seed: UInt64 = 42
    @Option(help: "Seconds between samples on shift.") var interval = 30
    @Option(help: "Vehicle id prefix.") var prefix = "gen"

    func run() async throws {
        guard (1...100_000).contains(vehicles), (1...93).contains(days), (1...3_600).contains(interval) else {
            throw ValidationError("--vehicles 1-100000, --days 1-93, --interval 1-3600")
        }
        guard VehicleID(validating: "\(prefix)-00000") != nil else { throw ValidationError("--prefix must be a valid id prefix") }
        let startMillis: Int64
        if let start {
            guard let day = ArchiveDay(iso: start) else { throw ValidationError("--start must be YYYY-MM-DD") }
            startMillis = day.startMillis
        } else {
            startMillis = ReportSchedule.lastCompleteWeek(before: TimestampPolicy.millis(from: .now)).fromMillis
        }
        let generator = HistoryGenerator(
            vehicles: vehicles, days: days, startMillis: startMillis, seed: seed, activeIntervalSeconds: interval, idPrefix: prefix)
        let clock = ContinuousClock()
        let began = clock.now
        let rows = try await OfflineDatabase.with { repository, _, _ in
            try await OfflineDatabase.write(generator, into: repository)
        }
        let seconds = (clock.now - began).seconds
        print(
            "generate-history: \(rows) rows for \(vehicles) vehicles over \(days) days from \(ArchiveDay(containing: startMillis).iso) in "
                + String(format: "%.1f s (%.0f rows/s)", seconds, Double(rows) / max(seconds, 0.001)))
    }
}
