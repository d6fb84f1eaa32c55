import Foundation

extension Migration {
    /// The migrations a service ships in its bundle's `Migrations` directory (`resources: [.copy("Migrations")]`).
    ///
    /// The suite's one convention: migration SQL uses unqualified names; ``MigrationRunner`` runs it with the service's
    /// schema as the search path, and the service's clients use the same search path
    /// (``FleetServiceRuntime/makePostgresClient(searchPath:)``).
    ///
    /// - Throws: ``MigrationError/missingMigrations(bundle:)`` without the directory, or what ``load(from:)`` throws.
    public static func bundled(in bundle: Bundle) throws -> [Migration] {
        guard let directory = bundle.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.missingMigrations(bundle: bundle.bundleURL.lastPathComponent)
        }
        return try load(from: directory)
    }
}
