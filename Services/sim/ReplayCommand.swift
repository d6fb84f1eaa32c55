import ArgumentParser
import FleetService
import FleetSimulation
import Foundation
import Hummingbird
import Logging

/// `fleet-sim replay`: vehicles following real recorded GPS traces.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay real GPS traces (Porto taxi trips, Hof floating-car data) as vehicles, at their own pace or sped up."
    )

    @Option(help: "Data set: porto or hof.") var source: String = "porto"
    @Option(help: "The gps_traces directory (default ../shared/data/gps_traces, or FLEET_SIM_TRACES).") var traces: String?
    @Option(help: "Replay speed: 1 = recorded pace, 10 = ten times faster.") var speedup: Double = 1
    @Option(help: "At most this many traces (one vehicle each).") var vehicles: Int = 200

    func validate() throws {
        guard GPSTraceLoader.Source(rawValue: source) != nil else { throw ValidationError("--source must be porto or hof") }
        guard speedup > 0, speedup <= 10_000, speedup.isFinite else { throw ValidationError("--speedup must be in (0, 10000]") }
        guard vehicles > 0 else { throw ValidationError("--vehicles must be positive") }
    }

    func run() async throws {
        let reader = simulatorReader(overrides: [:])
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: simulatorServiceName, reader: reader, defaultHTTPPort: simulatorDefaultHTTPPort)
        var settings = try SimulatorSettings(reader: reader)
        settings.gateway.timeScale = speedup
        let dataSource = GPSTraceLoader.Source(rawValue: source)!
        let directory = traces ?? reader.fleetOptionalString("fleet.sim.traces") ?? "../shared/data/gps_traces"
        let url = URL(fileURLWithPath: directory).appendingPathComponent(dataSource.relativePath)
        let loaded = try GPSTraceLoader.load(dataSource, from: url)
        let fleet = try TraceFleet(traces: loaded, idPrefix: "replay-\(source)", limit: vehicles)
        runtime.logger.info(
            "Replaying traces",
            metadata: ["source": "\(source)", "file": "\(url.path)", "vehicles": "\(fleet.vehicleIDs.count)", "speedup": "\(speedup)"])
        let (application, _, _) = try buildApplication(runtime: runtime, model: fleet, configuration: settings.gateway)
        try await application.runService()
    }
}
