import FleetService
import FleetTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Migrations (no database)")
struct MigrationTests {
    @Test("Checksum is SHA-256 of the SQL, ignoring CRLF line endings")
    func checksum() {
        #expect(Migration(version: 1, name: "a", sql: "abc").checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Migration(version: 1, name: "a", sql: "").checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Migration(version: 1, name: "a", sql: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").checksum
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        #expect(
            Migration(version: 1, name: "a", sql: "CREATE TABLE t ();\r\nSELECT 1;\r\n").checksum
                == Migration(version: 1, name: "a", sql: "CREATE TABLE t ();\nSELECT 1;\n").checksum
        )
    }

    @Test("Statements split at top-level semicolons only")
    func splitting() {
        let sql = """
            -- leading comment; not a statement
            CREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int);
            /* block; /* nested; */ still comment; */
            INSERT INTO a (note) VALUES ('it''s; fine'), (E'back\\'slash;');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
            BEGIN
              PERFORM 1; RETURN 2;
            END
            $body$;
            DO $$ BEGIN RAISE NOTICE 'a;b'; END $$;
            SELECT $1::int;
            -- trailing comment only
            """
        let statements = Migration(version: 1, name: "x", sql: sql).statements
        #expect(statements.count == 5)
        #expect(statements[0] == "-- leading comment; not a statement\nCREATE TABLE a (note text DEFAULT 'x;y', \"odd;name\" int)")
        #expect(statements[1].hasSuffix("VALUES ('it''s; fine'), (E'back\\'slash;')"))
        #expect(statements[2].hasPrefix("CREATE FUNCTION f()"))
        #expect(statements[2].hasSuffix("$body$"))
        #expect(statements[3] == "DO $$ BEGIN RAISE NOTICE 'a;b'; END $$")
        #expect(statements[4] == "SELECT $1::int")
    }

    @Test("Comment-only and empty fragments are dropped")
    func emptyFragments() {
        #expect(Migration(version: 1, name: "x", sql: ";;  ;\n-- nothing\n/* here */;").statements.isEmpty)
        #expect(Migration(version: 1, name: "x", sql: "SELECT 1").statements == ["SELECT 1"])
    }

    @Test("Loads NNNN_name.sql files sorted by version and ignores other files")
    func loading() throws {
        let directory = try temporaryDirectory(files: [
            "0002_add_index.sql": "CREATE INDEX i ON t (id);",
            "0001_create_table.sql": "CREATE TABLE t (id int);",
            "README.md": "not a migration",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }

        let migrations = try Migration.load(from: directory)
        #expect(
            migrations == [
                Migration(version: 1, name: "create_table", sql: "CREATE TABLE t (id int);"),
                Migration(version: 2, name: "add_index", sql: "CREATE INDEX i ON t (id);"),
            ]
        )
    }

    @Test("Rejects badly named files and duplicate versions")
    func loadingErrors() throws {
        let badName = try temporaryDirectory(files: ["create_table.sql": "SELECT 1"])
        defer { try? FileManager.default.removeItem(at: badName) }
        #expect(throws: MigrationError.invalidFileName("create_table.sql")) {
            try Migration.load(from: badName)
        }

        let duplicate = try temporaryDirectory(files: ["0001_a.sql": "SELECT 1", "1_b.sql": "SELECT 2"])
        defer { try? FileManager.default.removeItem(at: duplicate) }
        #expect(throws: MigrationError.duplicateVersion(1)) {
            try Migration.load(from: duplicate)
        }
    }

    @Test("Runner refuses gaps, duplicates and unsafe schema names before touching the database")
    func staticValidation() throws {
        let client = PostgresClient(configuration: PostgresConfiguration().clientConfiguration(), backgroundLogger: silentLogger)
        let one = Migration(version: 1, name: "one", sql: "SELECT 1")
        let three = Migration(version: 3, name: "three", sql: "SELECT 3")

        #expect(throws: MigrationError.versionGap(expected: 2, found: 3)) {
            try MigrationRunner(client: client, schema: "svc", migrations: [three, one], logger: silentLogger)
        }
        #expect(throws: MigrationError.versionGap(expected: 1, found: 3)) {
            try MigrationRunner(client: client, schema: "svc", migrations: [three], logger: silentLogger)
        }
        #expect(throws: MigrationError.duplicateVersion(1)) {
            try MigrationRunner(client: client, schema: "svc", migrations: [one, one], logger: silentLogger)
        }
        for bad in ["", "Vehicles", "1abc", "a-b", "a;drop", "x\"y", String(repeating: "a", count: 64)] {
            #expect(throws: MigrationError.invalidSchemaName(bad)) {
                try MigrationRunner(client: client, schema: bad, migrations: [one], logger: silentLogger)
            }
        }
        for good in ["telemetry", "_private", "svc_2", String(repeating: "a", count: 63)] {
            #expect(MigrationRunner.isValidSchemaName(good))
        }
    }

    private func temporaryDirectory(files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }
}
