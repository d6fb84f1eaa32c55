import Foundation

/// Where the tests find their inputs: fixtures in the test bundle, data sets in `../shared/data` beside the repository.
enum TestData {
    /// The repository root: this file is `<root>/Tests/FleetPrognosticsTests/TestData.swift`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `<root>/../shared/data/vehicle_health/<name>`.
    static func shared(_ name: String) -> URL {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/vehicle_health/\(name)")
    }

    static let cmapss = shared("cmapss")
    static let battery = shared("nasa_battery")

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// A JSON fixture from `Fixtures/`.
    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw Missing(description: "the Fixtures folder is not in the test bundle")
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
