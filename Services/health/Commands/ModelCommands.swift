import ArgumentParser
import FleetAnomaly
import FleetPrognostics
import Foundation

/// `fleet-health rul …`: the remaining-useful-life model on NASA C-MAPSS FD001.
struct RULCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rul", abstract: "Train or evaluate the remaining-useful-life model (NASA C-MAPSS FD001).",
        subcommands: [Train.self, Evaluate.self])

    /// `fleet-health rul evaluate`: the shipped model on the test engines; the last line is `FD001 rmse=… score=…`.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the shipped model on test_FD001 against RUL_FD001 (RUL capped at 125); last line: FD001 rmse=<v> score=<v>.")
        @Option(help: "Directory with train_FD001.txt, test_FD001.txt and RUL_FD001.txt.")
        var data = "../shared/data/vehicle_health/cmapss"

        func run() async throws {
            let report = try RULEvaluation.run(dataDirectory: URL(fileURLWithPath: data), model: try RULModel.bundled())
            print(report.text)
        }
    }

    /// `fleet-health rul train`: reproduces the shipped model with the training script (offline tooling; the service
    /// itself never runs Python).
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retrain the shipped model (python3 scripts/ml/train_rul.py; needs scripts/ml/requirements.txt installed).")
        @Option(help: "Directory with the C-MAPSS FD001 files.") var data = "../shared/data/vehicle_health/cmapss"
        @Option(parsing: .upToNextOption, help: "Training seeds (their test figures are printed with mean and spread).") var seeds: [Int] = [0, 1, 2, 3, 4]
        @Option(help: "The seed whose model is exported to Libraries/FleetPrognostics/Models.") var shipSeed = 0
        @Option(help: "Repository root (where scripts/ml lives).") var repository = "."

        func run() async throws {
            let script = URL(fileURLWithPath: repository).appendingPathComponent("scripts/ml/train_rul.py")
            guard FileManager.default.fileExists(atPath: script.path) else {
                throw ValidationError("\(script.path) not found: run from the repository root or pass --repository")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path, "--data", data, "--seeds"] + seeds.map(String.init) + ["--ship-seed", String(shipSeed)]
            process.currentDirectoryURL = URL(fileURLWithPath: repository)
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ExitCode(process.terminationStatus == 0 ? 1 : process.terminationStatus)
            }
        }
    }
}

/// `fleet-health battery evaluate`: end-of-life forecasts of the NASA cells, leave one cell out.
struct BatteryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "battery", abstract: "Evaluate the battery end-of-life model (NASA cells, leave one cell out).", subcommands: [Evaluate.self])

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forecast each cell's end of life (1.4 Ah) from its first cycles with the other cells as references; last line: battery mae_cycles=<v>.")
        @Option(help: "Directory with nasa_battery_capacity.csv.") var data = "../shared/data/vehicle_health/nasa_battery"

        func run() async throws {
            print(try BatteryEvaluation.run(dataDirectory: URL(fileURLWithPath: data)).text)
        }
    }
}

/// `fleet-health anomaly evaluate`: the streaming detector on real OBD-II tracks with injected faults.
struct AnomalyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomaly", abstract: "Evaluate the anomaly detector on enviroCar OBD-II tracks.", subcommands: [Evaluate.self])

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the tracks, inject spikes, drifts and stuck sensors, print precision and recall per kind and false alarms per hour.")
        @Option(help: "Directory with the enviroCar track_*.json files.") var data = "../shared/data/vehicle_health/envirocar_obd"
        @Option(help: "Seed of the injections.") var seed: UInt64 = 42
        @Option(help: "Injected copies per track, signal and kind.") var replicates = 10

        func run() async throws {
            let directory = URL(fileURLWithPath: data)
            let tracks = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasPrefix("track_") && $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0) }
            guard !tracks.isEmpty else { throw ValidationError("no track_*.json in \(directory.path)") }
            let report = try AnomalyEvaluation.run(tracks: tracks, seed: seed, replicates: replicates)
            for line in report.lines { print(line) }
        }
    }
}
