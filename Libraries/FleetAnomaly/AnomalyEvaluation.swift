import Foundation

/// Replays enviroCar tracks as telemetry streams, injects labelled faults at seeded random positions into copies and
/// scores `AnomalyDetector` at event level. See docs/health-anomaly.md for the protocol.
///
/// Protocol, per track × signal × kind × replicate: one copy of the clean signal with one injected event of that kind
/// and a fresh detector. A finding of kind K is a true positive when it falls in the tolerance window of the injected
/// event of kind K, is ignored when it falls in the window of an event of another kind, and is a false positive
/// otherwise. Recall counts events with at least one matching finding. The clean tracks are replayed once more, without
/// injection, for the false alarms per driving hour (all signals of the vehicle together).
public struct AnomalyEvaluation: Sendable {
    /// One replayed signal: its detector configuration and the context it is gated by.
    public struct Signal: Sendable {
        /// The enviroCar phenomenon name.
        public var name: String
        /// The detector configuration used for it.
        public var configuration: AnomalyConfiguration
        /// The phenomenon whose change marks the context as moving (nil: no stuck detection, no stuck injection).
        public var contextSignal: String?
        /// The sample-to-sample change of `contextSignal` that counts as moving.
        public var contextChange: Double
        /// Whether the quantity cannot be negative (injections are kept ≥ 0).
        public var nonNegative: Bool

        /// Creates a signal description.
        public init(
            name: String, configuration: AnomalyConfiguration, contextSignal: String?, contextChange: Double,
            nonNegative: Bool
        ) {
            self.name = name
            self.configuration = configuration
            self.contextSignal = contextSignal
            self.contextChange = contextChange
            self.nonNegative = nonNegative
        }
    }

    /// The replayed signals: fast driving signals with the default configuration, gated by rpm or speed changes, and
    /// intake temperature as the slow, quantised signal (1 °C) with no stuck context.
    public static let signals: [Signal] = [
        Signal(name: "Speed", configuration: .default, contextSignal: "Rpm", contextChange: 50, nonNegative: true),
        Signal(name: "Rpm", configuration: .default, contextSignal: "Speed", contextChange: 1, nonNegative: true),
        Signal(name: "Engine Load", configuration: .default, contextSignal: "Rpm", contextChange: 50, nonNegative: true),
        Signal(name: "Intake Pressure", configuration: .default, contextSignal: "Rpm", contextChange: 50, nonNegative: true),
        Signal(name: "Calculated MAF", configuration: .default, contextSignal: "Rpm", contextChange: 50, nonNegative: true),
        Signal(
            name: "Intake Temperature", configuration: .slowSignal(resolution: 1), contextSignal: nil, contextChange: 0,
            nonNegative: false),
    ]

    /// Speed (km/h) below which the vehicle counts as idle.
    public static let idleSpeed = 3.0
    /// Injected fault shapes (samples): a drift ramps over `driftRamp` then holds; a stuck value holds `stuckLength`.
    public static let driftRamp = 60
    /// See `driftRamp`.
    public static let stuckLength = 24
    /// Extra samples after an event's end in which a finding still counts.
    public static let driftTolerance = 12

    /// Counts and rates of one fault kind.
    public struct KindFigures: Sendable, Equatable {
        /// Injected events.
        public var events = 0
        /// Events with at least one matching finding.
        public var detected = 0
        /// Findings of this kind that matched an event of this kind.
        public var truePositives = 0
        /// Findings of this kind outside every event window.
        public var falsePositives = 0
        /// Seconds from event start to its first matching finding, one per detected event.
        public var delaysSeconds: [Double] = []

        /// TP / (TP + FP); 0 when there are no findings.
        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        /// Detected / events; 0 without events.
        public var recall: Double { ratio(detected, events) }
        /// Harmonic mean of precision and recall.
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
        /// The median detection delay in seconds, nil when nothing was detected.
        public var medianDelaySeconds: Double? {
            guard !delaysSeconds.isEmpty else { return nil }
            let sorted = delaysSeconds.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        mutating func add(_ other: KindFigures) {
            events += other.events
            detected += other.detected
            truePositives += other.truePositives
            falsePositives += other.falsePositives
            delaysSeconds += other.delaysSeconds
        }
    }

    /// The figures of one track.
    public struct TrackFigures: Sendable {
        /// Track name.
        public var name: String
        /// "calibration" for the first track (thresholds were fixed on it), "held-out" for the others.
        public var role: String
        /// Points in the track.
        public var samples: Int
        /// Driving hours (gaps capped at 60 s).
        public var hours: Double
        /// Findings per kind on the clean replay (all signals).
        public var cleanFindings: [AnomalyKind: Int]
        /// Injection figures per kind.
        public var kinds: [AnomalyKind: KindFigures]
        /// Injection figures per signal name and kind.
        public var signalKinds: [String: [AnomalyKind: KindFigures]]

        /// Clean findings of all kinds and signals per driving hour.
        public var falseAlarmsPerHour: Double { hours > 0 ? Double(cleanFindings.values.reduce(0, +)) / hours : 0 }
    }
}

func ratio(_ numerator: Int, _ denominator: Int) -> Double {
    denominator > 0 ? Double(numerator) / Double(denominator) : 0
}
