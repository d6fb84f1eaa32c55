/// A ``FleetReport`` as CSV files for spreadsheets (RFC 4180).
///
/// Every file has a header row and the same number of fields in every row; lines end in CRLF. A field containing a
/// comma, a double quote, CR or LF is quoted, its quotes doubled. Numbers have a fixed number of decimals and a `.`
/// decimal point; a missing figure (nil) is an empty field; times are ISO 8601 UTC. Text that comes from users (vehicle
/// ids, tags, types, reasons) and starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet
/// shows it instead of evaluating it as a formula. A section that is unavailable has its header only; `summary.csv`
/// says why.
public enum ReportCSV {
    /// The files ``files(for:)`` returns, in its order.
    public static let fileNames = [
        "summary.csv", "vehicles.csv", "tags.csv", "downtime.csv", "alerts.csv", "commands.csv", "incidents.csv",
        "health.csv", "routes.csv", "daily.csv",
    ]

    /// The report's CSV files, in the order of ``fileNames``.
    public static func files(for report: FleetReport) -> [(name: String, contents: String)] {
        [
            ("summary.csv", summary(report)),
            ("vehicles.csv", vehicles(report)),
            ("tags.csv", tags(report)),
            ("downtime.csv", downtime(report)),
            ("alerts.csv", alerts(report)),
            ("commands.csv", commands(report)),
            ("incidents.csv", incidents(report)),
            ("health.csv", health(report)),
            ("routes.csv", routes(report)),
            ("daily.csv", daily(report)),
        ]
    }

    // MARK: Files

    static func summary(_ report: FleetReport) -> String {
        let totals = report.totals
        let incidents = report.incidents.value?.all
        let alerts = report.alerts.value?.all
        let commands = report.commands.value?.all
        let routing = report.routing.value
        let rows: [[String]] = [
            [text("title"), text(report.title)],
            [text("tag"), text(report.tag)],
            [text("period_from"), time(report.period.fromMillis)],
            [text("period_to"), time(report.period.toMillis)],
            [text("generated"), time(report.generatedMillis)],
            [text("vehicles"), integer(totals.vehicles)],
            [text("active_vehicles"), integer(totals.activeVehicles)],
            [text("distance_km"), number(totals.distanceKm, 2)],
            [text("driving_h"), number(totals.drivingHours, 2)],
            [text("utilisation_pct"), percent(totals.utilisation)],
            [text("stops"), integer(totals.stops)],
            [text("battery_used_pct"), number(totals.batteryUsedPct, 1)],
            [text("fuel_used_pct"), number(totals.fuelUsedPct, 1)],
            [text("samples"), integer(totals.samples)],
            [text("downtime_h"), number(report.downtime.all.downtimeHours, 2)],
            [text("downtime_episodes"), integer(report.downtime.all.episodes)],
            [text("mtbf_h"), number(report.downtime.all.mtbfHours, 2)],
            [text("mttr_h"), number(report.downtime.all.mttrHours, 2)],
            [text("incidents"), integer(incidents?.incidents)],
            [text("incidents_open_at_end"), integer(incidents?.openAtEnd)],
            [text("incident_mean_time_to_close_h"), number(incidents?.meanTimeToCloseHours, 2)],
            [text("alerts"), integer(alerts?.alerts)],
            [text("alerts_acknowledged"), integer(alerts?.acknowledged)],
            [text("alerts_unacknowledged_at_end"), integer(alerts?.unacknowledgedAtEnd)],
            [text("alert_ack_median_s"), number(alerts?.ackMedianSeconds, 1)],
            [text("alert_ack_p90_s"), number(alerts?.ackP90Seconds, 1)],
            [text("commands"), integer(commands?.issued)],
            [text("commands_acknowledged"), integer(commands?.acknowledged)],
            [text("command_latency_median_ms"), integer(commands?.latencyMedianMillis)],
            [text("route_plans"), integer(routing?.plans)],
            [text("stops_planned"), integer(routing?.stops)],
            [text("stops_served"), integer(routing?.served)],
            [text("stops_on_time"), integer(routing?.onTime)],
            [text("on_time_pct"), percent(routing?.onTimeRate)],
            [text("section_vehicles"), text(report.vehiclesTruncated ? "truncated" : "ok")],
            [text("section_incidents"), text(status(report.incidents))],
            [text("section_alerts"), text(status(report.alerts))],
            [text("section_commands"), text(status(report.commands))],
            [text("section_health"), text(status(report.health))],
            [text("section_routing"), text(status(report.routing))],
        ]
        return document(["field", "value"], rows)
    }

    static func vehicles(_ report: FleetReport) -> String {
        let header: [String] =
            ["vehicle_id", "tags", "distance_km", "driving_h", "utilisation_pct", "stops", "battery_used_pct", "fuel_used_pct", "samples"]
            + DowntimeCause.allCases.map { "downtime_\($0.rawValue)_h" }
            + ["failures", "incidents", "alerts", "health_score", "maintenance_due"]
        let rows = report.vehicles.map { vehicle -> [String] in
            var row: [String] = [
                text(vehicle.vehicleID), text(vehicle.tags.joined(separator: ";")), number(vehicle.distanceKm, 2),
                number(vehicle.drivingHours, 2), percent(vehicle.utilisation), integer(vehicle.stops),
                number(vehicle.batteryUsedPct, 1), number(vehicle.fuelUsedPct, 1), integer(vehicle.samples),
            ]
            for cause in DowntimeCause.allCases { row.append(number(vehicle.downtimeHours(cause), 2)) }
            row += [
                integer(vehicle.failures), integer(vehicle.incidents), integer(vehicle.alerts), number(vehicle.healthScore, 1),
                time(vehicle.maintenanceDueMillis),
            ]
            return row
        }
        return document(header, rows)
    }

    static func tags(_ report: FleetReport) -> String {
        let header = [
            "tag", "vehicles", "active_vehicles", "distance_km", "driving_h", "utilisation_pct", "stops", "battery_used_pct",
            "fuel_used_pct", "samples", "downtime_h",
        ]
        let rows = report.tags.map { group -> [String] in
            let totals = group.totals
            return [
                text(group.label), integer(totals.vehicles), integer(totals.activeVehicles), number(totals.distanceKm, 2),
                number(totals.drivingHours, 2), percent(totals.utilisation), integer(totals.stops), number(totals.batteryUsedPct, 1),
                number(totals.fuelUsedPct, 1), integer(totals.samples), number(totals.downtimeHours, 2),
            ]
        }
        return document(header, rows)
    }

    static func downtime(_ report: FleetReport) -> String {
        let rows = (report.downtime.byCause + [report.downtime.all]).map { row -> [String] in
            [text(row.label), integer(row.episodes), number(row.downtimeHours, 2), number(row.mttrHours, 2), number(row.mtbfHours, 2)]
        }
        return document(["cause", "episodes", "downtime_h", "mttr_h", "mtbf_h"], rows)
    }

    static func alerts(_ report: FleetReport) -> String {
        let header = ["type", "alerts", "acknowledged", "unacknowledged_at_end", "ack_mean_s", "ack_median_s", "ack_p90_s"]
        guard let summary = report.alerts.value else { return document(header, []) }
        let rows = (summary.byType + [summary.all]).map { row -> [String] in
            [
                text(row.label), integer(row.alerts), integer(row.acknowledged), integer(row.unacknowledgedAtEnd),
                number(row.ackMeanSeconds, 1), number(row.ackMedianSeconds, 1), number(row.ackP90Seconds, 1),
            ]
        }
        return document(header, rows)
    }

    static func commands(_ report: FleetReport) -> String {
        let header = [
            "action", "issued", "acknowledged", "rejected", "failed", "expired", "pending", "other", "answered",
            "latency_median_ms", "latency_p90_ms",
        ]
        guard let summary = report.commands.value else { return document(header, []) }
        let rows = (summary.byAction + [summary.all]).map { row -> [String] in
            [
                text(row.label), integer(row.issued), integer(row.acknowledged), integer(row.rejected), integer(row.failed),
                integer(row.expired), integer(row.pending), integer(row.other), integer(row.answered),
                integer(row.latencyMedianMillis), integer(row.latencyP90Millis),
            ]
        }
        return document(header, rows)
    }

    static func incidents(_ report: FleetReport) -> String {
        let header = ["kind", "severity", "incidents", "open_at_end", "closed", "mean_time_to_close_h"]
        guard let summary = report.incidents.value else { return document(header, []) }
        let rows = (summary.groups + [summary.all]).map { group -> [String] in
            [
                text(group.label), text(group.severity), integer(group.incidents), integer(group.openAtEnd), integer(group.closed),
                number(group.meanTimeToCloseHours, 2),
            ]
        }
        return document(header, rows)
    }

    static func health(_ report: FleetReport) -> String {
        let header = ["list", "rank", "vehicle_id", "score", "maintenance_due", "reason"]
        guard let summary = report.health.value else { return document(header, []) }
        func rows(_ list: String, _ entries: [FleetReport.HealthRow]) -> [[String]] {
            entries.enumerated().map { item -> [String] in
                let entry = item.element
                return [
                    text(list), integer(item.offset + 1), text(entry.vehicleID), number(entry.score, 1),
                    time(entry.maintenanceDueMillis), text(entry.reason),
                ]
            }
        }
        return document(header, rows("worst", summary.worst) + rows("maintenance_due", summary.maintenanceDue))
    }

    static func routes(_ report: FleetReport) -> String {
        let header = ["route_id", "created", "vehicles", "stops", "served", "on_time", "late", "on_time_pct"]
        guard let summary = report.routing.value else { return document(header, []) }
        var rows = summary.routes.map { route -> [String] in
            [
                text(route.id), time(route.createdMillis), integer(route.vehicles), integer(route.stops), integer(route.served),
                integer(route.onTime), integer(route.late), percent(route.onTimeRate),
            ]
        }
        rows.append([
            text(FleetReport.allLabel), time(nil), integer(summary.vehicles), integer(summary.stops), integer(summary.served),
            integer(summary.onTime), integer(summary.late), percent(summary.onTimeRate),
        ])
        return document(header, rows)
    }

    static func daily(_ report: FleetReport) -> String {
        let rows = report.daily.map { day -> [String] in
            [text(ReportFormat.day(day.dayStartMillis)), number(day.distanceKm, 2), number(day.drivingHours, 2), integer(day.activeVehicles)]
        }
        return document(["day", "distance_km", "driving_h", "active_vehicles"], rows)
    }

    // MARK: Fields

    /// `ok`, `truncated` or `unavailable: <why>`.
    static func status<Value: Sendable & Codable & Hashable>(_ section: ComputedSection<Value>) -> String {
        if let reason = section.unavailable { return "unavailable: \(reason.explanation)" }
        return section.truncated ? "truncated" : "ok"
    }

    /// First characters that make a spreadsheet read a field as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// A text field: guarded against formula injection, then quoted when needed. Nil is an empty field.
    static func text(_ value: String?) -> String {
        guard let value, let first = value.unicodeScalars.first else { return "" }
        // Check scalars, not Characters: "\r\n" is a single Character.
        let guarded = formulaStarts.contains(first) ? "'" + value : value
        let needsQuotes = guarded.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return guarded }
        var quoted = "\""
        for scalar in guarded.unicodeScalars {
            if scalar == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// A number with `decimals` decimals; empty for nil.
    static func number(_ value: Double?, _ decimals: Int) -> String { ReportFormat.fixed(value, decimals) }

    /// A ratio as a percentage with two decimals; empty for nil.
    static func percent(_ ratio: Double?) -> String { ReportFormat.percent(ratio, 2) }

    /// An integer; empty for nil.
    static func integer<Value: BinaryInteger>(_ value: Value?) -> String { value.map { String($0) } ?? "" }

    /// An ISO 8601 UTC time; empty for nil.
    static func time(_ millis: Int64?) -> String { millis.map(ReportFormat.timestamp) ?? "" }

    /// The header and rows as one CSV document, CRLF after every line.
    static func document(_ header: [String], _ rows: [[String]]) -> String {
        var lines = header.map { text($0) }.joined(separator: ",") + "\r\n"
        for row in rows { lines += row.joined(separator: ",") + "\r\n" }
        return lines
    }
}
