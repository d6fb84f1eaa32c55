public import FleetCore

extension VehicleHealth {
    /// Evaluates a state message: `offline` is entered when the vehicle disconnects (its will or a clean disconnect) and
    /// left when it is back; a disconnected vehicle is not silent, so silence is left too.
    public func observe(state: VehicleState, nowMillis: Int64) -> [HealthTransition] {
        let offline = HealthCondition(.offline)
        let time = min(state.lastSeenMillis, nowMillis)
        switch state.connectivity {
        case .offline:
            var out: [HealthTransition] = []
            if !isActive(offline) {
                out.append(HealthTransition(vehicleID: vehicleID, condition: offline, change: .enter, timeMillis: nowMillis, severity: .info))
            }
            if isActive(HealthCondition(.silent)) {
                out.append(HealthTransition(
                    vehicleID: vehicleID, condition: HealthCondition(.silent), change: .leave, timeMillis: nowMillis, severity: .info,
                    attributes: ["reason": "offline"]))
            }
            return out
        case .online:
            guard isActive(offline) else { return [] }
            return [HealthTransition(vehicleID: vehicleID, condition: offline, change: .leave, timeMillis: max(time, nowMillis), severity: .info)]
        }
    }

    /// The `silent` transition due at `nowMillis`, if the vehicle is online (not recorded offline), was heard from
    /// before, and has been quiet for longer than the threshold.
    public func silence(nowMillis: Int64, lastSeenMillis: Int64, thresholds: HealthThresholds) -> HealthTransition? {
        let silent = HealthCondition(.silent)
        guard !isActive(silent), !isActive(HealthCondition(.offline)), lastSeenMillis > 0,
            nowMillis - lastSeenMillis > thresholds.silentAfterMillis
        else { return nil }
        return HealthTransition(
            vehicleID: vehicleID, condition: silent, change: .enter, timeMillis: nowMillis, severity: .warning,
            attributes: [
                "last_seen_ms": String(lastSeenMillis), "silent_seconds": String((nowMillis - lastSeenMillis) / 1000),
                "threshold_seconds": String(thresholds.silentAfterMillis / 1000),
            ])
    }
}
