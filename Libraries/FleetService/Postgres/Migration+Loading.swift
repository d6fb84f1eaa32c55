import Foundation

extension Migration {
    /// Loads every `NNNN_name.sql` file in `directory`, sorted by version.
    ///
    /// Files not ending in `.sql` are ignored. A `.sql` file whose name does not match
    /// `<digits>_<name>.sql` is an error, as is a version used twice.
    ///
    /// Ship migrations as a SwiftPM resource directory and load them from the bundle:
    /// ```swift
    /// // Package.swift: .executableTarget(..., resources: [.copy("Migrations")])
    /// let migrations = try Migration.load(from: Bundle.module.url(forResource: "Migrations", withExtension: nil)!)
    /// ```
    ///
    /// - Throws: ``MigrationError`` for bad file names or duplicates, or the file system error.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(
            at: directory,
            includingPropertiesForKeys: nil,
            options: [.skipsHiddenFiles]
        )
        var migrations: [Migration] = []
        for file in files where file.pathExtension == "sql" {
            let fileName = file.lastPathComponent
            guard let (version, name) = parse(fileName: fileName) else {
                throw MigrationError.invalidFileName(fileName)
            }
            let sql = try String(contentsOf: file, encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        return migrations
    }

    /// Parses `0003_add_index.sql` into `(3, "add_index")`.
    static func parse(fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let separator = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<separator]
        let name = stem[stem.index(after: separator)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let version = Int(digits), version > 0,
            !name.isEmpty, name.allSatisfy({ $0.isASCIIIdentifierCharacter || $0 == "-" })
        else {
            return nil
        }
        return (version, String(name))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIIIdentifierCharacter: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
