import ArgumentParser
import Foundation

/// `fleetctl incidents list`: downtime incidents recorded by fleet-health, newest first.
struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "Downtime incidents (fault, silent, offline, paused) recorded by fleet-health.",
        subcommands: [List.self]
    )

    /// The causes fleet-health records (the API's `cause` enumeration).
    enum Cause: String, ExpressibleByArgument, CaseIterable, Sendable {
        case fault
        case silent
        case offline
        case paused
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List incidents, newest first (one page, or every page with --all).",
            discussion: "--from keeps incidents still open or ended at or after a time, --to those started before one (ISO 8601 or epoch milliseconds).")
        @OptionGroup var health: HealthAPIOptions
        @Option(help: "Only this vehicle's.") var vehicle: String?
        @Option(help: "Only this cause: fault, silent, offline or paused.") var cause: Cause?
        @Option(help: "Open or ended at or after this time.") var from: String?
        @Option(help: "Started before this time.") var to: String?
        @Option(help: "Incidents per page (1-1000; the service's default is 100).") var limit: Int?
        @Option(help: "Start after this cursor (a previous page's next_after).") var after: String?
        @Flag(help: "Follow next_after until the last page.") var all = false

        func run() async throws {
            try await health.run {
                var query: [String] = []
                if let from { query.append("from=\(from.urlComponent)") }
                if let to { query.append("to=\(to.urlComponent)") }
                if let cause { query.append("cause=\(cause.rawValue)") }
                if let limit { query.append("limit=\(limit)") }
                let path = vehicle.map { "/v1/vehicles/\($0.urlComponent)/incidents" } ?? "/v1/incidents"
                let page = try await health.client.items(path, query: query, after: after, all: all)
                if health.output == .json { return emit(try ServiceAPI.json(items: page.items, nextAfter: page.nextAfter)) }
                TableOutput.print(HealthFormat.incidentHeaders, page.items.map(HealthFormat.incidentRow))
                HealthCommand.hintMore(page.nextAfter)
            }
        }
    }
}
