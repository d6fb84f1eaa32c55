import Foundation

/// How often each fault happens, in events per vehicle-hour (a Poisson rate), plus how long episodes last.
///
/// A vehicle draws each kind independently every step with probability `rate × step / 3600`.
/// Episodes that are already under way (a breakdown, an offline period…) are not started again until they end.
public struct FaultRates: Hashable, Sendable {
    /// Events per vehicle-hour by kind; kinds not listed never happen.
    public var perHour: [FaultKind: Double]
    /// Episode durations in seconds for kinds that last (breakdown, overheating, fault code, GPS noise,
    /// clock skew, offline period).
    public var episodeSeconds: ClosedRange<Double>

    /// Creates rates.
    public init(perHour: [FaultKind: Double], episodeSeconds: ClosedRange<Double> = 20...120) {
        self.perHour = perHour.filter { $0.value > 0 && $0.value.isFinite }
        self.episodeSeconds = episodeSeconds
    }

    /// No faults at all.
    public static let none = FaultRates(perHour: [:])

    /// A realistic default: each vehicle sees a fault of some kind every couple of hours.
    public static let `default` = FaultRates(perHour: [
        .breakdown: 0.05,
        .overheating: 0.05,
        .batteryDegradation: 0.01,
        .faultCode: 0.1,
        .gpsNoise: 0.2,
        .gpsJump: 0.1,
        .clockSkew: 0.05,
        .malformedMessage: 0.02,
        .oversizedMessage: 0.01,
        .offlinePeriod: 0.1,
    ])

    /// Every rate multiplied by `factor` (0 disables faults).
    public func scaled(by factor: Double) -> FaultRates {
        FaultRates(perHour: perHour.mapValues { $0 * max(0, factor) }, episodeSeconds: episodeSeconds)
    }

    /// The probability that a fault of `kind` starts within a step of `seconds`.
    func probability(_ kind: FaultKind, seconds: Double) -> Double {
        guard let rate = perHour[kind] else { return 0 }
        return 1 - exp(-rate * seconds / 3600)
    }
}
