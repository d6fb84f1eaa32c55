import FleetCore
import FleetReports
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import FleetControl

/// `GET /v1/report-data`: the commands of a period for fleet reports, against the running service (broker + PostgreSQL).
///
/// The report's `CommandRecord` and this module's share a name, so records are only ever reached through `ReportData`.
@Suite("fleet-control report data", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct ReportDataTests {
    @Test("Every command issued in [from, to), by issue time then id, with action, outcome and answer time; limit truncates")
    func commandsOfAPeriod() async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { client, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let repository = PostgresCommandRepository(client: client, schema: schema, logger: silentLogger)
                // A week ago, on a whole second: commands stored with these issue times, through the repository.
                let from = (ControlTest.millis() - 7 * 86_400_000) / 1_000 * 1_000
                let to = from + 10_000
                // Far enough ahead that the delivery scanner neither resends nor expires these commands during the test.
                let later = Date().addingTimeInterval(3_600)
                func issue(_ vehicles: [String], at millis: Int64, action: CommandAction = .pause, expiresAt: Date? = nil) async throws -> [String] {
                    let ids = vehicles.map { _ in MessageID.random().rawValue }
                    let new = NewCommands(
                        ids: ids, vehicleIDs: vehicles, action: action, reason: "report test", createdAt: Self.date(millis),
                        expiresAt: expiresAt ?? later, batchID: nil, createdBy: "tok_test", firstResendAt: later)
                    _ = try await repository.create(new, idempotency: nil, audit: Self.audit) { _ in (202, "") }
                    return ids
                }
                let early = try await issue(["veh-0"], at: from - 1)[0]
                let done = try await issue(["veh-a"], at: from)[0]
                let refused = try await issue(["veh-b"], at: from + 1_000, action: .resume)[0]
                let broken = try await issue(["veh-c"], at: from + 2_000, action: .returnToBase)[0]
                let lapsed = try await issue(["veh-d"], at: from + 3_000, expiresAt: Self.date(from + 63_000))[0]
                let twins = try await issue(["veh-e", "veh-f"], at: from + 4_000)
                let last = try await issue(["veh-g"], at: to - 1)[0]
                let atEnd = try await issue(["veh-h"], at: to)[0]

                // done: sent, accepted, completed; refused: rejected; broken: accepted, then failed; lapsed: its
                // time-to-live passed (expired by the scanner or here); the rest wait.
                #expect(Self.applied(try await repository.transition([TransitionRequest(commandID: done, vehicleID: nil, status: .sent, reason: nil)])))
                #expect(
                    Self.applied(
                        try await repository.transition([
                            TransitionRequest(commandID: done, vehicleID: "veh-a", status: .acknowledged, reason: nil),
                            TransitionRequest(commandID: refused, vehicleID: "veh-b", status: .rejected, reason: "busy"),
                            TransitionRequest(commandID: broken, vehicleID: "veh-c", status: .acknowledged, reason: nil),
                        ])))
                #expect(
                    Self.applied(
                        try await repository.transition([
                            TransitionRequest(commandID: done, vehicleID: "veh-a", status: .completed, reason: nil),
                            TransitionRequest(commandID: broken, vehicleID: "veh-c", status: .failed, reason: "jammed"),
                        ])))
                _ = try await repository.expireDue()
                try await eventually("the lapsed command expired") { try await repository.command(lapsed)?.status == .expired }

                let report = try await Self.report(api, "?from=\(from)&to=\(to)")
                #expect(report.period == ReportPeriod(fromMillis: from, toMillis: to))
                #expect(!report.truncated)
                #expect(report.alerts.isEmpty && report.incidents.isEmpty && report.health.isEmpty && report.routes.isEmpty)
                // The two commands issued in the same millisecond come in id order.
                let twinsInOrder = zip(twins, ["veh-e", "veh-f"]).sorted { $0.0 < $1.0 }
                let twinIDs: [String] = twinsInOrder.map { $0.0 }
                let twinVehicles: [String] = twinsInOrder.map { $0.1 }
                let expectedIDs: [String] = [done, refused, broken, lapsed] + twinIDs + [last]
                let expectedVehicles: [String] = ["veh-a", "veh-b", "veh-c", "veh-d"] + twinVehicles + ["veh-g"]
                #expect(report.commands.map(\.id) == expectedIDs)
                #expect(!report.commands.contains { $0.id == early || $0.id == atEnd }, "[from, to) excludes to and what came before from")
                #expect(report.commands.map(\.vehicleID) == expectedVehicles)
                #expect(report.commands.map(\.action) == ["pause", "resume", "return_to_base", "pause", "pause", "pause", "pause"])
                #expect(report.commands.map(\.outcome) == ["acknowledged", "rejected", "failed", "expired", "pending", "pending", "pending"])
                #expect(report.commands.map(\.issuedMillis) == [from, from + 1_000, from + 2_000, from + 3_000, from + 4_000, from + 4_000, to - 1])

                // The answer time is the vehicle's first answer as recorded: accepted (done, broken), rejected (refused).
                let answered = try await Self.firstAnswers(repository, [done, refused, broken])
                #expect(Self.sameMillis(report.commands[0].answeredMillis, answered[done]))
                #expect(Self.sameMillis(report.commands[1].answeredMillis, answered[refused]))
                #expect(Self.sameMillis(report.commands[2].answeredMillis, answered[broken]))
                #expect(report.commands.dropFirst(3).allSatisfy { $0.answeredMillis == nil }, "no answer: expired and pending commands")

                // Window edges: one millisecond holds exactly the commands issued in it.
                let first = try await Self.report(api, "?from=\(from)&to=\(from + 1)")
                #expect(first.commands.map(\.id) == [done])
                let before = try await Self.report(api, "?from=\(from - 1)&to=\(from)")
                #expect(before.commands.map(\.id) == [early])
                let pair = try await Self.report(api, "?from=\(from + 4_000)&to=\(from + 4_001)")
                #expect(pair.commands.map(\.id) == twinIDs)
                let end = try await Self.report(api, "?from=\(to)&to=\(to + 1)")
                #expect(end.commands.map(\.id) == [atEnd])
                let iso = try await Self.report(api, "?from=\(Self.iso(from))&to=\(Self.iso(to))")
                #expect(iso.commands == report.commands)

                // The limit: the first commands in order, `truncated` only when more were issued.
                let three = try await Self.report(api, "?from=\(from)&to=\(to)&limit=3")
                #expect(three.commands == Array(report.commands.prefix(3)))
                #expect(three.truncated)
                let exact = try await Self.report(api, "?from=\(from)&to=\(to)&limit=7")
                #expect(exact.commands == report.commands)
                #expect(!exact.truncated)

                // End to end: a command through the API, answered by a vehicle over MQTT (accepted, then completed).
                let vehicle = try TestVehicle("robot-1", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("robot-1")
                    let start = ControlTest.millis()
                    let created = try await api.call(.post, "/v1/vehicles/robot-1/commands", json: #"{"action":"pause","ttl_seconds":30}"#)
                    #expect(created.status == .accepted, "\(created.text)")
                    let id = try #require(created.json["id"] as? String)
                    #expect(try await api.waitForCommand(id, statuses: ["completed"]).json["status"] as? String == "completed")
                    let live = try await Self.report(api, "?from=\(start - 1_000)&to=\(ControlTest.millis() + 1_000)")
                    #expect(live.commands.map(\.id) == [id])
                    #expect(live.commands.first?.vehicleID == "robot-1" && live.commands.first?.action == "pause")
                    #expect(live.commands.first?.outcome == "acknowledged")
                    let stored = try #require(try await repository.command(id))
                    #expect(Self.sameMillis(live.commands.first?.issuedMillis, stored.createdAt))
                    #expect(Self.sameMillis(live.commands.first?.answeredMillis, try await Self.firstAnswers(repository, [id])[id]))
                }
            }
        }
    }

    @Test("Missing, malformed, reversed, empty or too long periods and bad limits are 400 with a message; 401 without a token, 403 without fleet:read")
    func refusals() async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let day: Int64 = 86_400_000
                let refused: [(query: String, message: String)] = [
                    ("", "'from' is required"),
                    ("?to=1000", "'from' is required"),
                    ("?from=1000", "'to' is required"),
                    ("?from=yesterday&to=1000", "'from' must be milliseconds since the epoch or an ISO 8601 time"),
                    ("?from=1000&to=2026-13-45", "'to' must be"),
                    ("?from=2000&to=2000", "'to' must be after 'from'"),
                    ("?from=3000&to=2000", "'to' must be after 'from'"),
                    ("?from=0&to=\(93 * day + 1)", "at most 93 days"),
                    ("?from=-1&to=1000", "'from' must be a time from 1970"),
                    ("?from=0&to=\(Int64.max)", "'to' must be a time from 1970"),
                    ("?from=0&to=1000&limit=0", "'limit' must be an integer in 1...500000"),
                    ("?from=0&to=1000&limit=500001", "'limit' must be an integer in 1...500000"),
                    ("?from=0&to=1000&limit=many", "'limit'"),
                ]
                for (query, message) in refused {
                    let reply = try await api.call(.get, "/v1/report-data\(query)")
                    #expect(reply.status == .badRequest, "\(query): \(reply.status) \(reply.text)")
                    #expect(reply.errorMessage.contains(message), "\(query): \(reply.text)")
                }
                // The longest period and the highest limit are accepted.
                let longest = try await Self.report(api, "?from=0&to=\(93 * day)&limit=500000")
                #expect(longest.period == ReportPeriod(fromMillis: 0, toMillis: 93 * day) && longest.commands.isEmpty)

                #expect(try await api.call(.get, "/v1/report-data?from=0&to=1000", token: nil).status == .unauthorized)
                let writer = try await api.createToken(name: "writer", scopes: ["commands:write", "alerts:write"])
                #expect(try await api.call(.get, "/v1/report-data?from=0&to=1000", token: writer.secret).status == .forbidden)
                let reader = try await api.createToken(name: "reader", scopes: ["fleet:read"])
                #expect(try await api.call(.get, "/v1/report-data?from=0&to=1000", token: reader.secret).status == .ok)
            }
        }
    }

    static let audit = AuditEntry(
        actorTokenID: "tok_test", actorName: "test", action: "command.create", target: "test", outcome: "ok", details: nil, remoteAddress: "127.0.0.1")

    /// `GET /v1/report-data<query>`, expected to answer 200, decoded.
    static func report(_ api: API, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ReportData {
        let reply = try await api.call(.get, "/v1/report-data\(query)")
        #expect(reply.status == .ok, "\(query): \(reply.text)", sourceLocation: sourceLocation)
        return try JSONDecoder().decode(ReportData.self, from: Data(reply.text.utf8))
    }

    /// The statuses that are a vehicle's answer.
    static let answers: Set<CommandStatus> = [.acknowledged, .rejected, .completed, .failed]

    /// When each command's first answer from its vehicle was recorded, from its stored transitions.
    static func firstAnswers(_ repository: PostgresCommandRepository, _ ids: [String]) async throws -> [String: Date] {
        var first: [String: Date] = [:]
        for id in ids {
            let transitions = try await repository.command(id)?.transitions ?? []
            first[id] = transitions.filter { answers.contains($0.status) }.map(\.at).min()
        }
        return first
    }

    /// Whether a record's millisecond time is `date`'s (±1: PostgresNIO sends a `Date` truncated to the microsecond),
    /// or both are absent.
    static func sameMillis(_ millis: Int64?, _ date: Date?) -> Bool {
        switch (millis, date) {
        case (nil, nil): return true
        case (let millis?, let date?): return abs(millis - Int64((date.timeIntervalSince1970 * 1000).rounded())) <= 1
        default: return false
        }
    }

    static func applied(_ outcomes: [TransitionOutcome]) -> Bool {
        outcomes.allSatisfy { if case .applied = $0 { true } else { false } }
    }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func iso(_ millis: Int64) -> String { date(millis).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
}
