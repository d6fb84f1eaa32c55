import Foundation

extension RULModel {
    /// Predicted RUL from full C-MAPSS rows (all 21 sensors, oldest first, consecutive cycles), e.g. a unit's rows as
    /// the simulator replays them: picks `sensorNames` and takes the first row's cycle number as `firstCycle`.
    /// Returns nil for no rows.
    public func predict(rows: [CMAPSSData.Row]) -> Double? {
        guard let first = rows.first else { return nil }
        let cycles = rows.map { row in sensorNames.map { row.sensor($0)! } }
        return predict(cycles: cycles, firstCycle: first.cycle)
    }
}
