// swift-tools-version: 6.2
import PackageDescription

/// One list of settings for every target: Swift 6 language mode (strict concurrency) is the tools default;
/// these upcoming features keep module boundaries explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What every service is built from: the shared language, the MQTT client, the service kit and the libraries the kit's
/// API speaks in.
let serviceKit: [Target.Dependency] = [
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
]

/// A service: `Services/<folder>` (App.swift, App+build.swift, …) with its SQL migrations in `Migrations/`, built from
/// the kit plus `dependencies`. See docs/adding-a-service.md.
func service(_ name: String, folder: String, dependencies: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name, dependencies: serviceKit + dependencies, path: "Services/\(folder)", resources: [.copy("Migrations")],
        swiftSettings: swiftSettings)
}

/// A service's tests in `Tests/<name>Tests`: the service's own code (`@testable import`), the kit, the test support
/// (broker, database, harness, `eventually`) and HTTP testing.
func serviceTests(of name: String, dependencies: [Target.Dependency] = []) -> Target {
    .testTarget(
        name: "\(name)Tests",
        dependencies: [.target(name: name), "FleetTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")] + serviceKit
            + dependencies,
        path: "Tests/\(name)Tests", swiftSettings: swiftSettings)
}

let package = Package(
    name: "fleet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FleetCore", targets: ["FleetCore"]),
        .library(name: "FleetMQTT", targets: ["FleetMQTT"]),
        .library(name: "FleetService", targets: ["FleetService"]),
        .library(name: "FleetGeo", targets: ["FleetGeo"]),
        .library(name: "FleetSimulation", targets: ["FleetSimulation"]),
        .library(name: "FleetWebhooks", targets: ["FleetWebhooks"]),
        .library(name: "FleetPrognostics", targets: ["FleetPrognostics"]),
        .library(name: "FleetAnomaly", targets: ["FleetAnomaly"]),
        .library(name: "FleetHealthRules", targets: ["FleetHealthRules"]),
        .library(name: "FleetVRP", targets: ["FleetVRP"]),
        .library(name: "FleetTraffic", targets: ["FleetTraffic"]),
        .library(name: "FleetReports", targets: ["FleetReports"]),
        .library(name: "FleetObjectStore", targets: ["FleetObjectStore"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .executable(name: "fleet-tracking", targets: ["FleetTracking"]),
        .executable(name: "fleet-sim", targets: ["FleetSim"]),
        .executable(name: "fleet-alerting", targets: ["FleetAlerting"]),
        .executable(name: "fleet-control", targets: ["FleetControl"]),
        .executable(name: "fleet-health", targets: ["FleetHealth"]),
        .executable(name: "fleet-routing", targets: ["FleetRouting"]),
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
        // Tests only: the OpenAPI documents are parsed with a real YAML parser.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // JWT verification of an external OpenID Connect provider's tokens (RS/PS/ES/EdDSA with JWKS).
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
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
                "FleetCore",
                "FleetMQTT",
                "FleetReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Libraries/FleetService",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetWebhooks",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Libraries/FleetWebhooks",
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

        // Remaining useful life (C-MAPSS engines) and battery end of life: the shipped models and their evaluations.
        .target(
            name: "FleetPrognostics",
            path: "Libraries/FleetPrognostics",
            resources: [.copy("Models")],
            swiftSettings: swiftSettings
        ),
        // Streaming per-signal anomaly detectors (spikes, drifts, stuck sensors) with O(1) state per signal.
        .target(
            name: "FleetAnomaly",
            dependencies: ["FleetCore"],
            path: "Libraries/FleetAnomaly",
            swiftSettings: swiftSettings
        ),
        // fleet-health's pure logic: per-vehicle health state, rules with hysteresis, fault-code table, incidents.
        .target(
            name: "FleetHealthRules",
            dependencies: ["FleetCore", "FleetAnomaly", "FleetPrognostics"],
            path: "Libraries/FleetHealthRules",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // fleet-routing's solver: capacitated vehicle routing with time windows (iterated local search), instance
        // readers and an independent feasibility checker. No I/O beyond reading instance files.
        .target(
            name: "FleetVRP",
            dependencies: ["FleetCore"],
            path: "Libraries/FleetVRP",
            swiftSettings: swiftSettings + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // fleet-routing's live traffic: map matching of fleet positions, smoothed per-edge speeds, jam detection with
        // hysteresis and a replay evaluation on real loop-detector speeds. Pure: no MQTT, database or HTTP.
        .target(
            name: "FleetTraffic",
            dependencies: ["FleetGeo", "FleetCore"],
            path: "Libraries/FleetTraffic",
            swiftSettings: swiftSettings
        ),

        // Weekly fleet reports: the records services exchange for a report, the statistics made of them, and the CSV
        // and self-contained HTML (SVG charts) renderings. Pure: no I/O.
        .target(
            name: "FleetReports",
            path: "Libraries/FleetReports",
            swiftSettings: swiftSettings
        ),
        // S3-compatible object storage (AWS Signature V4 over AsyncHTTPClient) and gzip streams: the cold archive's and
        // the reports' storage.
        .target(
            name: "FleetObjectStore",
            dependencies: [
                "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Libraries/FleetObjectStore",
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "fleetctl",
            dependencies: [
                "FleetCore",
                "FleetMQTT",
                "FleetWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/fleetctl",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FleetSim",
            dependencies: [
                "FleetCore",
                "FleetPrognostics",
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



        // MARK: Services
        service("FleetTracking", folder: "tracking", dependencies: [
            "FleetReports", "FleetObjectStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        service("FleetAlerting", folder: "alerting", dependencies: [
            "FleetReports",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        service("FleetControl", folder: "control", dependencies: [
            "FleetReports",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        service("FleetHealth", folder: "health", dependencies: [
            "FleetHealthRules", "FleetPrognostics", "FleetAnomaly", "FleetReports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        service("FleetRouting", folder: "routing", dependencies: [
            "FleetVRP", "FleetGeo", "FleetTraffic", "FleetReports",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests
        .target(
            name: "FleetTestSupport",
            dependencies: [
                "FleetCore",
                "FleetObjectStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "FleetService",
                "FleetMQTT",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
                "FleetCore",
                "FleetMQTT",
                "FleetService",
                "FleetTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/FleetServiceTests",
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
        serviceTests(of: "FleetTracking", dependencies: [
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ]),
        serviceTests(of: "FleetAlerting", dependencies: [
            "FleetWebhooks",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        serviceTests(of: "FleetControl"),
        serviceTests(of: "FleetHealth", dependencies: ["FleetWebhooks"]),
        serviceTests(of: "FleetRouting", dependencies: ["FleetGeo", "FleetVRP", "FleetTraffic"]),
        .testTarget(
            name: "FleetPrognosticsTests",
            dependencies: ["FleetPrognostics"],
            path: "Tests/FleetPrognosticsTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetAnomalyTests",
            dependencies: ["FleetAnomaly", "FleetCore"],
            path: "Tests/FleetAnomalyTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetHealthRulesTests",
            dependencies: ["FleetHealthRules", "FleetCore", "FleetPrognostics", "FleetAnomaly"],
            path: "Tests/FleetHealthRulesTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetVRPTests",
            dependencies: ["FleetVRP"],
            path: "Tests/FleetVRPTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetTrafficTests",
            dependencies: ["FleetTraffic", "FleetGeo", "FleetCore"],
            path: "Tests/FleetTrafficTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetReportsTests",
            dependencies: ["FleetReports"],
            path: "Tests/FleetReportsTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetObjectStoreTests",
            dependencies: [
                "FleetObjectStore", "FleetTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/FleetObjectStoreTests",
            swiftSettings: swiftSettings
        ),
        // fleetctl against the real fleet-control binary (built by `swift build --build-tests`).
        .testTarget(
            name: "FleetctlTests",
            dependencies: ["FleetTestSupport", "FleetCore", "FleetMQTT", "FleetWebhooks", .product(name: "Logging", package: "swift-log")],
            path: "Tests/FleetctlTests",
            swiftSettings: swiftSettings
        ),
    ]
)
