import Foundation

/// Table cells for fleet-health's figures: durations, percentages, forecasts, downtime.
enum HealthFormat {
    /// Seconds as `2d 3h`, `3h 4m`, `4m 5s` or `5s` (`-` when absent).
    static func duration(_ value: Any?) -> String {
        guard let seconds = (value as? NSNumber)?.doubleValue, seconds.isFinite, seconds >= 0 else { return "-" }
        let total = Int(seconds.rounded())
        let (days, hours, minutes, rest) = (total / 86_400, total % 86_400 / 3_600, total % 3_600 / 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return "\(rest)s"
    }

    /// A number with at most `digits` decimals (`-` when absent).
    static func number(_ value: Any?, digits: Int = 1) -> String {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return "-" }
        return number.doubleValue.formatted(.number.precision(.fractionLength(0...digits)).grouping(.never))
    }

    /// A percentage field (`12.5%`, `-` when absent).
    static func percent(_ value: Any?) -> String {
        let text = number(value)
        return text == "-" ? text : text + "%"
    }

    /// A temperature field (`92 °C`, `-` when absent).
    static func celsius(_ value: Any?) -> String {
        let text = number(value)
        return text == "-" ? text : text + " °C"
    }

    /// A remaining-useful-life forecast: `123.4 cycles (100–150) at <time>`, or `-`.
    static func forecast(_ value: Any?) -> String {
        guard let forecast = value as? [String: Any] else { return "-" }
        return "\(number(forecast["rul_cycles"])) cycles (\(number(forecast["lower"]))–\(number(forecast["upper"]))) at \(TableOutput.cell(forecast["at"]))"
    }

    /// A battery estimate: `capacity 85%, end of life at cycle 400, now cycle 120`, or `-`.
    static func battery(_ value: Any?) -> String {
        guard let battery = value as? [String: Any], !battery.isEmpty else { return "-" }
        var parts: [String] = []
        if let ratio = (battery["capacity_ratio"] as? NSNumber)?.doubleValue { parts.append("capacity \(number(ratio * 100))%") }
        if battery["end_of_life_cycle"] != nil { parts.append("end of life at cycle \(number(battery["end_of_life_cycle"], digits: 0))") }
        if battery["cycle"] != nil { parts.append("now cycle \(TableOutput.cell(battery["cycle"]))") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// `key=value` pairs of a count or seconds object, sorted by key, zeros left out (`-` when all are zero).
    static func counts(_ value: Any?, seconds: Bool = false) -> String {
        guard let object = value as? [String: Any] else { return "-" }
        let pairs = object.keys.sorted().compactMap { key -> String? in
            guard let number = object[key] as? NSNumber, number.doubleValue != 0 else { return nil }
            return "\(key)=\(seconds ? duration(number) : number.stringValue)"
        }
        return pairs.isEmpty ? "-" : pairs.joined(separator: " ")
    }

    /// The downtime figures as `label: value` lines (MTBF, MTTR, availability, failures and repairs, downtime by cause).
    static func downtime(_ value: Any?) -> [(String, String)] {
        let downtime = value as? [String: Any] ?? [:]
        let availability = (downtime["availability"] as? NSNumber).map { number($0.doubleValue * 100, digits: 2) + "%" } ?? "-"
        return [
            ("MTBF", duration(downtime["mtbf_seconds"])),
            ("MTTR", duration(downtime["mttr_seconds"])),
            ("availability", availability),
            ("failures", "\(TableOutput.cell(downtime["failures"])) (\(TableOutput.cell(downtime["repairs"])) repaired) in \(TableOutput.cell(downtime["window_days"])) days"),
            ("downtime", counts(downtime["downtime_seconds_by_cause"], seconds: true)),
        ]
    }

    /// Prints `label: value` lines with the values aligned.
    static func fields(_ fields: [(String, String)]) {
        let width = (fields.map(\.0.count).max() ?? 0) + 2
        for (label, value) in fields { emit((label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value) }
    }

    /// The columns of an incident table.
    static let incidentHeaders = ["INCIDENT", "VEHICLE", "CAUSE", "STATE", "STARTED", "ENDED", "DURATION", "DETAIL"]

    /// One incident as a table row.
    static func incidentRow(_ incident: [String: Any]) -> [String] {
        [
            TableOutput.cell(incident["id"]), TableOutput.cell(incident["vehicle_id"]), TableOutput.cell(incident["cause"]),
            incident["open"] as? Bool == true ? "open" : "closed", TableOutput.cell(incident["started_at"]), TableOutput.cell(incident["ended_at"]),
            duration(incident["duration_seconds"]), cell(incident["detail"]),
        ]
    }

    /// A free-text cell: `-` when empty, so the table's columns stay parseable.
    static func cell(_ value: Any?) -> String {
        let text = TableOutput.cell(value)
        return text.isEmpty ? "-" : text
    }
}
