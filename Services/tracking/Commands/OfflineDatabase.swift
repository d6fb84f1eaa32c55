import FleetService
import Foundation
import Logging
import PostgresNIO

/// The database and configuration of the offline commands (`generate-history`, `bench`): the service's own environment
/// (FLEET_POSTGRES_*, FLEET_TRACKING_*, FLEET_ARCHIVE_*), a running client with the schema migrated.
enum OfflineDatabase {
    /// Runs `body` with a migrated `schema` (the configured one when nil), then stops the client; `dropAfterwards`
    /// removes the schema at the end (benchmarks' scratch schemas).
    static func with<Result: Sendable>(
        schema: String? = nil, dropAfterwards: Bool = false,
        _ body: (PostgresTrackingRepository, TrackingConfiguration, Logger) async throws -> Result
    ) async throws -> Result {
        let reader = FleetConfiguration.environmentReader()
        var configuration = try TrackingConfiguration(reader: reader)
        if let schema { configuration.schema = schema }
        let fleet = try FleetConfiguration(serviceName: "fleet-tracking", reader: reader, defaultHTTPPort: 8081)
        var logger = Logger(label: "fleet-tracking")
        logger.logLevel = .warning
        let runtime = FleetServiceRuntime(configuration: fleet, logger: logger)
        let client = runtime.makePostgresClient(searchPath: configuration.schema)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let migrations = try MigrationRunner(
                client: client, schema: configuration.schema, migrations: try PostgresTrackingRepository.migrations(), logger: logger)
            try await migrations.migrate()
            let repository = PostgresTrackingRepository(client: client, schema: configuration.schema, logger: logger)
            do {
                let result = try await body(repository, configuration, logger)
                if dropAfterwards { try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(configuration.schema) CASCADE"), logger: logger) }
                return result
            } catch {
                if dropAfterwards { try? await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(configuration.schema) CASCADE"), logger: logger) }
                throw error
            }
        }
    }

    /// Writes `generator`'s history: vehicles with their tags, the partitions, then the rows by COPY in groups of
    /// vehicles. Returns the rows written.
    static func write(_ generator: HistoryGenerator, into repository: PostgresTrackingRepository) async throws -> Int {
        let end = generator.startMillis + Int64(generator.days) * ArchiveDay.millisPerDay
        _ = try await repository.ensurePartitions(fromMillis: generator.startMillis, toMillis: end - 1)
        try await repository.registerGenerated((0..<generator.vehicles).map { (generator.vehicleID($0), generator.tags($0)) })
        var written = 0
        var batch: [ArchivedRow] = []
        for index in 0..<generator.vehicles {
            batch += generator.rows(vehicle: index)
            if batch.count >= 200_000 || index == generator.vehicles - 1 {
                try await repository.copyRows(batch)
                written += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        return written
    }
}
