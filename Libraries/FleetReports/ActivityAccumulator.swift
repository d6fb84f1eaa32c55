/// One telemetry sample as the report reads it.
public struct ActivitySample: Sendable, Hashable {
    public var vehicleID: String
    public var timeMillis: Int64
    public var speedMetersPerSecond: Double
    public var odometerMeters: Double
    public var batteryPct: Double?
    public var fuelPct: Double?
    /// `idle`, `moving`, `paused`, `charging`, `fault`.
    public var status: String

    public init(
        vehicleID: String, timeMillis: Int64, speedMetersPerSecond: Double, odometerMeters: Double, batteryPct: Double?,
        fuelPct: Double?, status: String
    ) {
        self.vehicleID = vehicleID
        self.timeMillis = timeMillis
        self.speedMetersPerSecond = speedMetersPerSecond
        self.odometerMeters = odometerMeters
        self.batteryPct = batteryPct
        self.fuelPct = fuelPct
        self.status = status
    }
}

/// Turns a stream of telemetry samples into each vehicle's ``VehicleActivity`` and the fleet's ``DailyActivity``.
///
/// Feed samples in device-time order per vehicle (vehicles may interleave, e.g. one day of every vehicle, then the next
/// day). Definitions, between two consecutive samples of a vehicle (an *interval*):
/// - distance: the odometer's increase (a decrease, i.e. a reset or replacement, adds nothing);
/// - driving time: intervals that start at a speed at or above the moving threshold and are not longer than the offline
///   gap;
/// - a stop: the vehicle was moving, then stayed below the threshold for at least the minimum stop time (counted when it
///   moves again, or at the end if the stop already lasted that long);
/// - battery / fuel used: the sum of decreases (charging and refuelling add nothing);
/// - downtime: runs of samples with status `fault`, `paused` or `charging` (from the first such sample to the first
///   sample with another status), and offline: an interval longer than the offline gap. Silence before a vehicle's
///   first or after its last sample in the period is not counted: nothing says whether it was down or parked and off;
/// - daily figures: an interval counts on the UTC day of its end.
public struct ActivityAccumulator: Sendable {
    public var movingThresholdMetersPerSecond: Double
    public var offlineGapMillis: Int64
    public var minStopMillis: Int64

    private struct VehicleState: Sendable {
        var last: ActivitySample
        var activity: VehicleActivity
        var openDowntime: (cause: DowntimeCause, start: Int64)?
        var stopStart: Int64?
        var lastCountedDay: Int64
    }

    private var states: [String: VehicleState] = [:]
    private var current: VehicleState?
    private var daily: [Int64: DailyActivity] = [:]

    public init(movingThresholdMetersPerSecond: Double = 0.5, offlineGapMillis: Int64 = 300_000, minStopMillis: Int64 = 120_000) {
        self.movingThresholdMetersPerSecond = movingThresholdMetersPerSecond
        self.offlineGapMillis = offlineGapMillis
        self.minStopMillis = minStopMillis
    }

    static func dayStart(_ millis: Int64) -> Int64 {
        (millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000) * 86_400_000
    }

    static func cause(_ status: String) -> DowntimeCause? {
        switch status {
        case "fault": .fault
        case "paused": .paused
        case "charging": .charging
        default: nil
        }
    }

    /// Adds the next sample.
    public mutating func add(_ sample: ActivitySample) {
        if current?.last.vehicleID != sample.vehicleID {
            if let current { states[current.last.vehicleID] = current }
            current = states.removeValue(forKey: sample.vehicleID)
        }
        guard var state = current else {
            current = start(sample)
            return
        }
        let last = state.last
        let interval = sample.timeMillis - last.timeMillis
        let day = Self.dayStart(sample.timeMillis)
        var today = daily[day] ?? DailyActivity(dayStartMillis: day, distanceMeters: 0, drivingSeconds: 0, activeVehicles: 0)
        if state.lastCountedDay != day {
            today.activeVehicles += 1
            state.lastCountedDay = day
        }
        let distance = max(0, sample.odometerMeters - last.odometerMeters)
        state.activity.distanceMeters += distance
        today.distanceMeters += distance
        let moving = last.speedMetersPerSecond >= movingThresholdMetersPerSecond
        if interval > offlineGapMillis {
            state.activity.downtime.append(DowntimeEpisode(cause: .offline, startMillis: last.timeMillis, endMillis: sample.timeMillis))
        } else if moving && interval > 0 {
            state.activity.drivingSeconds += Double(interval) / 1000
            today.drivingSeconds += Double(interval) / 1000
        }
        daily[day] = today
        if let battery = sample.batteryPct, let previous = last.batteryPct, battery < previous {
            state.activity.batteryUsedPct = (state.activity.batteryUsedPct ?? 0) + (previous - battery)
        } else if sample.batteryPct != nil, state.activity.batteryUsedPct == nil {
            state.activity.batteryUsedPct = 0
        }
        if let fuel = sample.fuelPct, let previous = last.fuelPct, fuel < previous {
            state.activity.fuelUsedPct = (state.activity.fuelUsedPct ?? 0) + (previous - fuel)
        } else if sample.fuelPct != nil, state.activity.fuelUsedPct == nil {
            state.activity.fuelUsedPct = 0
        }
        // Status downtime: a run ends at the first sample with another status (at the last sample before a silence,
        // which the offline episode covers).
        let cause = Self.cause(sample.status)
        if let open = state.openDowntime, open.cause != cause || interval > offlineGapMillis {
            let end = interval > offlineGapMillis ? last.timeMillis : sample.timeMillis
            if end > open.start {
                state.activity.downtime.append(DowntimeEpisode(cause: open.cause, startMillis: open.start, endMillis: end))
            }
            state.openDowntime = nil
        }
        if state.openDowntime == nil, let cause { state.openDowntime = (cause, sample.timeMillis) }
        // Stops.
        let nowMoving = sample.speedMetersPerSecond >= movingThresholdMetersPerSecond
        if moving && !nowMoving {
            state.stopStart = sample.timeMillis
        } else if nowMoving, let stopStart = state.stopStart {
            if sample.timeMillis - stopStart >= minStopMillis { state.activity.stops += 1 }
            state.stopStart = nil
        }
        state.activity.samples += 1
        state.last = sample
        current = state
    }

    private mutating func start(_ sample: ActivitySample) -> VehicleState {
        let day = Self.dayStart(sample.timeMillis)
        var today = daily[day] ?? DailyActivity(dayStartMillis: day, distanceMeters: 0, drivingSeconds: 0, activeVehicles: 0)
        today.activeVehicles += 1
        daily[day] = today
        let activity = VehicleActivity(
            vehicleID: sample.vehicleID, tags: [], distanceMeters: 0, drivingSeconds: 0, stops: 0,
            batteryUsedPct: sample.batteryPct.map { _ in 0 }, fuelUsedPct: sample.fuelPct.map { _ in 0 }, samples: 1, downtime: [])
        return VehicleState(
            last: sample, activity: activity, openDowntime: Self.cause(sample.status).map { ($0, sample.timeMillis) }, stopStart: nil,
            lastCountedDay: day)
    }

    /// Every vehicle's activity (those in `tags` with no sample get an empty row), sorted by id, and the days in order.
    /// Open downtime runs end at the vehicle's last sample.
    public func finish(tags: [String: [String]]) -> (vehicles: [VehicleActivity], daily: [DailyActivity]) {
        var states = states
        if let current { states[current.last.vehicleID] = current }
        var result: [String: VehicleActivity] = [:]
        for (id, state) in states {
            var activity = state.activity
            if let open = state.openDowntime, state.last.timeMillis > open.start {
                activity.downtime.append(DowntimeEpisode(cause: open.cause, startMillis: open.start, endMillis: state.last.timeMillis))
            }
            if let stopStart = state.stopStart, state.last.timeMillis - stopStart >= minStopMillis { activity.stops += 1 }
            activity.downtime.sort { ($0.startMillis, $0.cause.rawValue) < ($1.startMillis, $1.cause.rawValue) }
            activity.tags = tags[id] ?? []
            result[id] = activity
        }
        for (id, vehicleTags) in tags where result[id] == nil {
            result[id] = VehicleActivity(
                vehicleID: id, tags: vehicleTags, distanceMeters: 0, drivingSeconds: 0, stops: 0, batteryUsedPct: nil, fuelUsedPct: nil,
                samples: 0, downtime: [])
        }
        return (result.values.sorted { $0.vehicleID < $1.vehicleID }, daily.values.sorted { $0.dayStartMillis < $1.dayStartMillis })
    }
}
