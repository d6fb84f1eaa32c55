/// Mean time between failures and mean time to repair over a window, from the failure incidents (``IncidentCause/isFailure``:
/// faults and silences) of one vehicle or of the fleet.
///
/// - MTBF = operating time in the window ÷ failures that started in it, where operating time is each vehicle's observed
///   time in the window (from the later of the window start and when the vehicle was first seen) less its failure
///   downtime. Nil without a failure.
/// - MTTR = mean duration of the failures that ended in the window. Nil without a repaired failure.
public struct DowntimeStatistics: Sendable, Hashable {
    /// Failures that started in the window.
    public var failures: Int
    /// Failures that ended in the window.
    public var repairs: Int
    /// Operating (not failed) time in the window, milliseconds.
    public var operatingMillis: Int64
    /// Failure downtime in the window, milliseconds (open incidents up to the window end).
    public var downtimeMillis: Int64
    /// Downtime per cause in the window, milliseconds (every cause, failures or not).
    public var downtimeByCause: [IncidentCause: Int64]

    /// Mean time between failures, seconds.
    public var mtbfSeconds: Double? { failures > 0 ? Double(operatingMillis) / 1000 / Double(failures) : nil }
    /// Mean time to repair, seconds.
    public var mttrSeconds: Double? { repairs > 0 ? Double(repairedMillis) / 1000 / Double(repairs) : nil }
    /// Availability: operating ÷ (operating + failure downtime).
    public var availability: Double? {
        let total = operatingMillis + downtimeMillis
        return total > 0 ? Double(operatingMillis) / Double(total) : nil
    }

    var repairedMillis: Int64 = 0

    /// Computes the figures for the incidents of vehicles observed since `firstSeenMillis` (per vehicle id), over
    /// `[fromMillis, toMillis)`.
    public init(incidents: [Incident], firstSeenMillis: [String: Int64], fromMillis: Int64, toMillis: Int64) {
        var observed: Int64 = 0
        for (_, first) in firstSeenMillis {
            observed += max(0, toMillis - max(fromMillis, first))
        }
        self.init(incidents: incidents, observedMillis: observed, fromMillis: fromMillis, toMillis: toMillis)
    }

    /// Computes the figures from the vehicles' total observed time in the window (the sum over vehicles of the window
    /// after each was first seen), for a fleet too large to list.
    public init(incidents: [Incident], observedMillis observed: Int64, fromMillis: Int64, toMillis: Int64) {
        failures = 0
        repairs = 0
        downtimeMillis = 0
        downtimeByCause = [:]
        for incident in incidents {
            let end = min(incident.endedMillis ?? toMillis, toMillis)
            let start = max(incident.startedMillis, fromMillis)
            let overlap = max(0, end - start)
            downtimeByCause[incident.cause, default: 0] += overlap
            guard incident.cause.isFailure else { continue }
            downtimeMillis += overlap
            if incident.startedMillis >= fromMillis && incident.startedMillis < toMillis { failures += 1 }
            if let ended = incident.endedMillis, ended >= fromMillis, ended < toMillis {
                repairs += 1
                repairedMillis += ended - incident.startedMillis
            }
        }
        operatingMillis = max(0, observed - downtimeMillis)
    }
}
