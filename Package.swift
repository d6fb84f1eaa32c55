// swift-tools-version: 6.2
import PackageDescription

/// One list of settings for every target: Swift 6 language mode (strict concurrency) is the tools default;
/// these upcoming features keep module boundaries explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "fleet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FleetCore", targets: ["FleetCore"]),
        .library(name: "FleetMQTT", targets: ["FleetMQTT"]),
        .library(name: "FleetService", targets: ["FleetService"]),
        .library(name: "FleetGeo", targets: ["FleetGeo"]),
        .library(name: "FleetSimulation", targets: ["FleetSimulation"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .executable(name: "fleet-tracking", targets: ["FleetTracking"]),
        .executable(name: "fleet-sim", targets: ["FleetSim"]),
        .executable(name: "fleet-alerting", targets: ["FleetAlerting"]),
        .executable(name: "fleet-control", targets: ["FleetControl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-algorithms.git", from: "1.2.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Already in the graph through postgres-nio (SCRAM); used directly for HMAC and token hashes.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // MARK: Libraries
        .systemLibrary(
            name: "CMosquitto",
            path: "Libraries/CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Libraries/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "FleetCore",
            path: "Libraries/FleetCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetMQTT",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Libraries/FleetMQTT",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetService",
            dependencies: [
                "FleetMQTT",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Libraries/FleetService",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetGeo",
            dependencies: [
                "CZlib",
                "FleetCore",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            path: "Libraries/FleetGeo",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetSimulation",
            dependencies: [
                "FleetCore",
                "FleetGeo",
                "FleetMQTT",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Libraries/FleetSimulation",
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "fleetctl",
            dependencies: [
                "FleetCore",
                "FleetMQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Services/fleetctl",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FleetSim",
            dependencies: [
                "FleetCore",
                "FleetGeo",
                "FleetMQTT",
                "FleetService",
                "FleetSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/sim",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "FleetTracking",
            dependencies: [
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Services/tracking",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "FleetAlerting",
            dependencies: [
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Services/alerting",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "FleetTestSupport",
            dependencies: [
                "FleetService",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/FleetTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetCoreTests",
            dependencies: ["FleetCore"],
            path: "Tests/FleetCoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetMQTTTests",
            dependencies: ["FleetMQTT", "FleetCore", "FleetTestSupport"],
            path: "Tests/FleetMQTTTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetServiceTests",
            dependencies: [
                "FleetService",
                "FleetTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/FleetServiceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetTrackingTests",
            dependencies: [
                "FleetTracking",
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                "FleetTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Tests/FleetTrackingTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetGeoTests",
            dependencies: ["FleetGeo", "FleetCore"],
            path: "Tests/FleetGeoTests",
            swiftSettings: swiftSettings
        ),
            .testTarget(
            name: "FleetSimulationTests",
            dependencies: [
                "FleetSimulation",
                "FleetSim",
                "FleetCore",
                "FleetGeo",
                "FleetMQTT",
                "FleetService",
                "FleetTestSupport",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FleetSimulationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetAlertingTests",
            dependencies: [
                "FleetAlerting",
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                "FleetTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FleetAlertingTests",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FleetControl",
            dependencies: [
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/control",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetControlTests",
            dependencies: [
                "FleetControl",
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                "FleetTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FleetControlTests",
            swiftSettings: swiftSettings
        ),
    ]
)
