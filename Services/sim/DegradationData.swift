import FleetPrognostics
import FleetSimulation
import Foundation
import Logging

/// Loads the real degradation data some simulated vehicles replay (`FLEET_SIM_HEALTH_DATA`): NASA C-MAPSS engines run
/// to failure (`cmapss/train_FD001.txt`) and NASA cells aged to end of life (`nasa_battery/nasa_battery_capacity.csv`).
enum DegradationData {
    /// The replay for `count` vehicles, or nil when the data is not there (logged) or `count` is 0.
    ///
    /// Vehicle `i` (i < count) gets engine unit `(7i mod 100) + 1`, starting 40–99 cycles before its failure so the
    /// first forecasts cross the maintenance threshold within minutes; electric vehicles also get cell `i mod 4`,
    /// starting 40–99 cycles into its life.
    static func replay(
        directory: String, count: Int, engineCycleSeconds: Double, batteryCycleSeconds: Double, isElectric: (Int) -> Bool, logger: Logger
    ) -> DegradationReplay? {
        guard count > 0 else { return nil }
        let root = URL(fileURLWithPath: directory)
        let engines: CMAPSSData
        let cells: [BatteryCell]
        do {
            engines = try CMAPSSData(contentsOf: root.appendingPathComponent("cmapss/train_FD001.txt"))
            cells = try BatteryCell.cells(
                csv: try String(contentsOf: root.appendingPathComponent("nasa_battery/nasa_battery_capacity.csv"), encoding: .utf8))
        } catch {
            logger.warning(
                "No degradation replay: health data not readable (FLEET_SIM_HEALTH_DATA)", metadata: ["path": "\(directory)", "error": "\(error)"])
            return nil
        }
        let units = engines.unitIDs
        guard !units.isEmpty, !cells.isEmpty else { return nil }
        var engineTracks: [Int: DegradationReplay.EngineTrack] = [:]
        var batteryTracks: [Int: DegradationReplay.BatteryTrack] = [:]
        for vehicle in 0..<count {
            let unit = units[(7 * vehicle) % units.count]
            let rows = engines.units[unit] ?? []
            engineTracks[vehicle] = DegradationReplay.EngineTrack(
                name: "FD001 unit \(unit)", cycles: rows.map { UInt64($0.cycle) }, sensors: rows.map(\.sensors),
                startIndex: rows.count - 40 - (13 * vehicle) % 60)
            if isElectric(vehicle) {
                let cell = cells[vehicle % cells.count]
                batteryTracks[vehicle] = DegradationReplay.BatteryTrack(
                    name: cell.name, capacities: cell.capacities, ratedAh: 2.0, startIndex: 40 + (11 * vehicle) % 60)
            }
        }
        logger.info(
            "Replaying real degradation data",
            metadata: [
                "engines": "\(engineTracks.count)", "batteries": "\(batteryTracks.count)", "engine.cycle.seconds": "\(engineCycleSeconds)",
                "battery.cycle.seconds": "\(batteryCycleSeconds)",
            ])
        return DegradationReplay(engines: engineTracks, batteries: batteryTracks, engineCycleSeconds: engineCycleSeconds, batteryCycleSeconds: batteryCycleSeconds)
    }
}
