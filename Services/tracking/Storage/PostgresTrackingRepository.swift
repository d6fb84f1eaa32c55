import FleetService
import Foundation
import Logging
import PostgresNIO

/// ``TrackingRepository`` on PostgreSQL. Every statement uses bound parameters; only the schema
/// name (validated at start-up) is interpolated.
struct PostgresTrackingRepository: TrackingRepository {
    let client: PostgresClient
    /// Validated schema name (`[a-z_][a-z0-9_]{0,62}`).
    let schema: String
    let logger: Logger
    /// Fleet events are written here in the transaction that decided them (published by the `OutboxRelay`).
    let outbox: EventOutbox

    init(client: PostgresClient, schema: String, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
        self.outbox = EventOutbox(schema: schema, logger: logger)
    }

    /// The schema's migrations: the bundled files and the kit's audit log (version 4).
    static func migrations() throws -> [Migration] {
        try Migration.bundled(in: .module) + [.auditLog(version: 4)]
    }

    /// ISO 8601 with milliseconds, UTC: how timestamps appear in API responses.
    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true).timeSeparator(.colon).dateSeparator(.dash))
    }

    /// Milliseconds of a timestamp read back from PostgreSQL, rounded to the nearest millisecond: a stored
    /// `…123 ms` can come back as `…122.9999 ms` in binary floating point, which `TimestampPolicy.millis`
    /// (rounding down, right for clocks) would turn into 122.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
