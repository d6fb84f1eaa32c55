public import Foundation

/// Replays real freeway speeds through the same smoothing (``SegmentSpeeds``) and jam detection (``JamDetector``) the
/// fleet uses, and scores the jams against a ground truth defined on the raw readings alone.
///
/// Data: `los_speed.csv` (Los-loop, a 207-sensor subset of METR-LA: Los Angeles freeway loop detectors, mph every
/// 5 minutes, 1–7 March 2012). Each sensor is one segment; its free-flow speed is the
/// ``Configuration/freeFlowPercentile`` of its own week of readings.
///
/// **Ground truth (independent of the detector):** a *slow-down* is a maximal run of at least
/// ``Configuration/minimumSlowDownReadings`` consecutive raw readings below ``Configuration/slowDownRatio`` × free
/// flow (default: 3 readings = 15 min below 40 %). No smoothing, no hysteresis, no sample counts.
///
/// **Scoring:** a jam is *active* at a reading from its `started` event's time until its `cleared` event's time
/// (exclusive; to the end of the data if never cleared). A slow-down is *detected* if a jam on the same sensor is
/// active at any of its readings; its *detection delay* is the time from the slow-down's first reading to the
/// first of its readings at which a jam is active (0 when a jam started earlier is still active). A *false alarm*
/// is a jam active at no slow-down reading. Readings are fed at `row × interval` seconds.
public enum LosAngelesReplay {
    /// The file read from the data directory.
    public static let speedFileName = "los_speed.csv"
    /// Miles per hour to metres per second.
    static let metersPerSecondPerMile = 0.44704

    /// Parameters of the replay and its ground truth.
    public struct Configuration: Hashable, Sendable {
        /// Free flow of a sensor: this quantile of its own readings (0...1). Default 0.85.
        public var freeFlowPercentile: Double = 0.85
        /// Ground truth: a reading is slow below this fraction of free flow. Default 0.4.
        public var slowDownRatio: Double = 0.4
        /// Ground truth: consecutive slow readings that make a slow-down. Default 3 (15 min).
        public var minimumSlowDownReadings: Int = 3
        /// Time between readings, seconds. Default 300.
        public var intervalSeconds: Double = 300
        /// Smoothing, as for the fleet (default time constant 120 s).
        public var speeds: SegmentSpeeds.Configuration = .init()
        /// Jam thresholds: the fleet defaults. With one reading per 5 minutes, 3 samples means a jam starts on the
        /// third slow reading (10 minutes in); `minimumSamples: 2` starts it 5 minutes earlier but also flags
        /// 10-minute dips (on the Los-loop week: 166 false alarms of 1,015 jams instead of 13 of 854).
        public var jams: JamDetector.Configuration = .init()

        /// Creates a configuration; every parameter defaults to the documented value.
        public init(
            freeFlowPercentile: Double = 0.85, slowDownRatio: Double = 0.4, minimumSlowDownReadings: Int = 3,
            intervalSeconds: Double = 300, speeds: SegmentSpeeds.Configuration = .init(),
            jams: JamDetector.Configuration = .init()
        ) {
            self.freeFlowPercentile = freeFlowPercentile
            self.slowDownRatio = slowDownRatio
            self.minimumSlowDownReadings = minimumSlowDownReadings
            self.intervalSeconds = intervalSeconds
            self.speeds = speeds
            self.jams = jams
        }
    }

    /// The figures of one replay.
    public struct Result: Hashable, Sendable {
        /// Sensors replayed.
        public var sensors: Int
        /// Readings per sensor.
        public var readingsPerSensor: Int
        /// Length of the data, days.
        public var days: Double
        /// Slow-downs in the ground truth.
        public var slowDowns: Int
        /// Jams the detector started.
        public var jamsFlagged: Int
        /// Slow-downs during which a jam was active.
        public var slowDownsDetected: Int
        /// Jams active during no slow-down.
        public var falseAlarms: Int
        /// False alarms that started on a raw reading below the slow-down ratio: real dips, shorter than the ground
        /// truth's minimum (the rest were started by smoothing lag alone).
        public var falseAlarmsOnShortDips: Int
        /// Jams still active at the end of the data.
        public var jamsOpenAtEnd: Int
        /// Median detection delay of the detected slow-downs, minutes (`nil` if none was detected).
        public var medianDetectionDelayMinutes: Double?
        /// 90th percentile of the detection delay, minutes.
        public var p90DetectionDelayMinutes: Double?
        /// Slow-downs too short for the detector's thresholds to have any chance at (shorter than
        /// `enterSeconds` plus one interval), included in ``slowDowns``.
        public var shortSlowDowns: Int

        /// Jams flagged per day (all sensors).
        public var jamsPerDay: Double { days > 0 ? Double(jamsFlagged) / days : 0 }
        /// ``slowDownsDetected`` / ``slowDowns``.
        public var detectionRate: Double { slowDowns > 0 ? Double(slowDownsDetected) / Double(slowDowns) : 0 }
        /// ``falseAlarms`` / ``jamsFlagged``.
        public var falseAlarmRate: Double { jamsFlagged > 0 ? Double(falseAlarms) / Double(jamsFlagged) : 0 }
    }

    /// Replays `los_speed.csv` from `dataDirectory` (e.g. `shared/data/traffic`).
    public static func run(
        dataDirectory: URL, configuration: Configuration = Configuration()
    ) throws(TrafficDataError) -> Result {
        let table = try SpeedTable.read(contentsOf: dataDirectory.appendingPathComponent(speedFileName))
        return evaluate(series: table.series, configuration: configuration)
    }

    /// Replays `series` (per sensor, readings in mph in time order, all the same length) and scores it.
    public static func evaluate(series: [[Double]], configuration: Configuration = Configuration()) -> Result {
        let readings = series.first?.count ?? 0
        let interval = configuration.intervalSeconds
        let freeFlow = series.map { quantile($0, configuration.freeFlowPercentile) * metersPerSecondPerMile }
        var speeds = SegmentSpeeds(freeFlowSpeeds: freeFlow, configuration: configuration.speeds)
        var detector = JamDetector(segmentCount: series.count, configuration: configuration.jams)

        // Jams per sensor as active reading ranges [start, end).
        var jams = [[Range<Int>]](repeating: [], count: series.count)
        var openSince = [Int?](repeating: nil, count: series.count)
        func index(of seconds: Double) -> Int { Int((seconds / interval).rounded(.up)) }
        func record(_ event: JamEvent) {
            switch event.kind {
            case .started: openSince[event.segment] = index(of: event.atSeconds)
            case .cleared:
                if let start = openSince[event.segment] {
                    jams[event.segment].append(start..<max(start, index(of: event.atSeconds)))
                    openSince[event.segment] = nil
                }
            }
        }
        for row in 0..<readings {
            let seconds = Double(row) * interval
            for sensor in series.indices {
                let speed = series[sensor][row] * metersPerSecondPerMile
                let smoothed = speeds.record(speedMetersPerSecond: speed, on: sensor, atSeconds: seconds)
                if let event = detector.observe(
                    segment: sensor, smoothedSpeed: smoothed, freeFlowSpeed: freeFlow[sensor], atSeconds: seconds)
                {
                    record(event)
                }
            }
            for event in detector.sweep(atSeconds: seconds) { record(event) }
        }
        var jamsOpenAtEnd = 0
        for sensor in series.indices {
            if let start = openSince[sensor] {
                jams[sensor].append(start..<readings)
                jamsOpenAtEnd += 1
            }
        }

        // Ground truth and scoring.
        let shortLimit = Int((configuration.jams.enterSeconds / interval).rounded(.up)) + 1
        var slowDowns = 0
        var shortSlowDowns = 0
        var detected = 0
        var falseAlarms = 0
        var falseAlarmsOnShortDips = 0
        var delays: [Double] = []
        for sensor in series.indices {
            let runs = slowRuns(
                series[sensor], below: configuration.slowDownRatio * freeFlow[sensor] / metersPerSecondPerMile,
                minimumLength: configuration.minimumSlowDownReadings)
            slowDowns += runs.count
            shortSlowDowns += runs.filter { $0.count < shortLimit }.count
            for run in runs {
                let firstActive = run.first { row in jams[sensor].contains { $0.contains(row) } }
                if let firstActive {
                    detected += 1
                    delays.append(Double(firstActive - run.lowerBound) * interval / 60)
                }
            }
            let threshold = configuration.slowDownRatio * freeFlow[sensor] / metersPerSecondPerMile
            for jam in jams[sensor] where !runs.contains(where: { $0.overlaps(jam) }) {
                falseAlarms += 1
                if jam.lowerBound < readings && series[sensor][jam.lowerBound] < threshold { falseAlarmsOnShortDips += 1 }
            }
        }
        delays.sort()
        let jamCount = jams.reduce(0) { $0 + $1.count }
        return Result(
            sensors: series.count, readingsPerSensor: readings, days: Double(readings) * interval / 86_400,
            slowDowns: slowDowns, jamsFlagged: jamCount, slowDownsDetected: detected, falseAlarms: falseAlarms,
            falseAlarmsOnShortDips: falseAlarmsOnShortDips,
            jamsOpenAtEnd: jamsOpenAtEnd,
            medianDetectionDelayMinutes: delays.isEmpty ? nil : quantileOfSorted(delays, 0.5),
            p90DetectionDelayMinutes: delays.isEmpty ? nil : quantileOfSorted(delays, 0.9),
            shortSlowDowns: shortSlowDowns)
    }

    /// Maximal runs of at least `minimumLength` consecutive readings below `threshold`, as index ranges.
    static func slowRuns(_ readings: [Double], below threshold: Double, minimumLength: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for (index, value) in readings.enumerated() {
            if value < threshold {
                if start == nil { start = index }
            } else if let first = start {
                if index - first >= minimumLength { runs.append(first..<index) }
                start = nil
            }
        }
        if let first = start, readings.count - first >= minimumLength { runs.append(first..<readings.count) }
        return runs
    }

    /// The `q` quantile (linear interpolation between order statistics) of `values`.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        values.isEmpty ? 0 : quantileOfSorted(values.sorted(), q)
    }

    private static func quantileOfSorted(_ sorted: [Double], _ q: Double) -> Double {
        let position = min(1, max(0, q)) * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(sorted.count - 1, low + 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
