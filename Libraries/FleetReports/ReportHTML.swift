/// A ``FleetReport`` as one self-contained HTML5 page: inline `<style>` only, charts as inline SVG drawn by
/// ``SVGChart``, no script and no external resource (no font, image, stylesheet or link). Every text from the data is
/// HTML-escaped. Readable on a phone (responsive layout, wide tables scroll) and when printed.
public enum ReportHTML {
    /// The page.
    public static func render(_ report: FleetReport) -> String {
        let heading = report.tag.map { "\(report.title) — tag \($0)" } ?? report.title
        var body = "<header><h1>\(escape(heading))</h1><p class=\"sub\">Fleet report for \(escape(periodText(report.period)))</p></header>\n"
        body += summary(report)
        body += unavailable(report)
        body += daily(report)
        body += tags(report)
        body += downtime(report)
        body += incidents(report)
        body += alerts(report)
        body += commands(report)
        body += health(report)
        body += routing(report)
        body += "<footer>Period: \(escape(periodText(report.period))). Generated: \(escape(ReportFormat.timestamp(report.generatedMillis))). "
            + "Times are UTC (ISO 8601). Per-vehicle figures are in vehicles.csv.</footer>\n"
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>\(escape(heading))</title>\n<style>\n\(style)</style>\n</head>\n<body>\n<main>\n\(body)</main>\n</body>\n</html>\n"
    }

    // MARK: Sections

    static func summary(_ report: FleetReport) -> String {
        let totals = report.totals
        let all = report.downtime.all
        var cards: [String] = [
            card("Vehicles active / total", "\(totals.activeVehicles) / \(totals.vehicles)"),
            card("Distance", figure(totals.distanceKm, 1, "km")),
            card("Driving time", figure(totals.drivingHours, 1, "h")),
            card("Utilisation", figure(totals.utilisation.map { $0 * 100 }, 1, "%")),
            card("Stops", "\(totals.stops)"),
            card("Battery used", figure(totals.batteryUsedPct, 1, "pp"), detail: "percentage points, summed"),
            card("Fuel used", figure(totals.fuelUsedPct, 1, "pp"), detail: "percentage points, summed"),
            card("Downtime", figure(all.downtimeHours, 1, "h"), detail: "\(all.episodes) episodes"),
            card("MTBF", figure(all.mtbfHours, 1, "h"), detail: "MTTR \(figure(all.mttrHours, 1, "h"))"),
        ]
        if let alerts = report.alerts.value?.all {
            cards.append(card("Alerts", "\(alerts.alerts)", detail: "\(alerts.unacknowledgedAtEnd) unacknowledged at end"))
        }
        if let incidents = report.incidents.value?.all {
            cards.append(card("Incidents", "\(incidents.incidents)", detail: "\(incidents.openAtEnd) open at end"))
        }
        if let commands = report.commands.value?.all {
            cards.append(card("Commands", "\(commands.issued)", detail: "\(commands.acknowledged) acknowledged"))
        }
        if let routing = report.routing.value, routing.inUse {
            cards.append(card("On-time stops", figure(routing.onTimeRate.map { $0 * 100 }, 1, "%"), detail: "\(routing.onTime) of \(routing.served) served"))
        }
        var content = "<div class=\"cards\">\(cards.joined())</div>\n"
        if report.vehiclesTruncated {
            content += note("Incomplete: fleet-tracking stopped at its row limit, so these figures cover only part of the fleet.")
        }
        return section("summary", "Summary", content)
    }

    static func unavailable(_ report: FleetReport) -> String {
        let sections = report.unavailableSections
        guard !sections.isEmpty else { return "" }
        let items = sections.map { "<li><strong>\(escape($0.name))</strong>: \(escape($0.reason.explanation)).</li>" }
        return section("unavailable", "Unavailable sections", "<ul class=\"note\">\(items.joined())</ul>\n")
    }

    static func daily(_ report: FleetReport) -> String {
        let bars = report.daily.map { day in
            SVGChart.Bar(label: ReportFormat.shortDay(day.dayStartMillis), value: day.distanceKm, valueLabel: number(day.distanceKm, 0))
        }
        return section("daily", "Daily distance", SVGChart.columns(title: "Distance per day (km)", unit: "km", bars: bars))
    }

    static func tags(_ report: FleetReport) -> String {
        let bars = report.tags.map { SVGChart.Bar(label: $0.label, value: $0.totals.distanceKm, valueLabel: "\(number($0.totals.distanceKm, 1)) km") }
        var content = SVGChart.horizontalBars(title: "Distance per tag (km)", unit: "km", bars: bars)
        if report.tags.isEmpty {
            content += paragraph("No vehicles in the report.")
        } else {
            let rows = report.tags.map { group -> [String] in
                let totals = group.totals
                return [
                    group.label, "\(totals.vehicles)", "\(totals.activeVehicles)", number(totals.distanceKm, 1),
                    number(totals.drivingHours, 1), percent(totals.utilisation), "\(totals.stops)", number(totals.downtimeHours, 1),
                ]
            }
            content += table(
                [
                    .text("Tag"), .number("Vehicles"), .number("Active"), .number("Distance (km)"), .number("Driving (h)"),
                    .number("Utilisation (%)"), .number("Stops"), .number("Downtime (h)"),
                ], rows)
        }
        return section("tags", "Distance per tag", content)
    }

    static func downtime(_ report: FleetReport) -> String {
        let summary = report.downtime
        // Without any episode the chart says "no data" rather than drawing four empty bars.
        let bars: [SVGChart.Bar] =
            summary.all.episodes == 0
            ? [] : summary.byCause.map { SVGChart.Bar(label: $0.label, value: $0.downtimeHours, valueLabel: "\(number($0.downtimeHours, 1)) h") }
        var content = SVGChart.horizontalBars(title: "Downtime by cause (hours)", unit: "h", bars: bars)
        let rows = (summary.byCause + [summary.all]).map { row -> [String] in
            [row.label, "\(row.episodes)", number(row.downtimeHours, 1), number(row.mttrHours, 1), number(row.mtbfHours, 1)]
        }
        content += table(
            [.text("Cause"), .number("Episodes"), .number("Downtime (h)"), .number("MTTR (h)"), .number("MTBF (h)")], rows)
        content += paragraph(
            "Every downtime episode counts as a failure. MTTR = downtime ÷ episodes; MTBF = available time ÷ episodes, where "
                + "available time = vehicles × period − downtime of every cause (\(number(summary.availableHours, 1)) h). "
                + "– means no episode.")
        return section("downtime", "Downtime by cause", content)
    }

    static func incidents(_ report: FleetReport) -> String {
        var content = status(report.incidents, service: "fleet-health")
        if let summary = report.incidents.value {
            if summary.all.incidents == 0 {
                content += paragraph("No incidents in the period.")
            } else {
                let rows = (summary.groups + [summary.all]).map { group -> [String] in
                    [
                        group.label, group.severity ?? "", "\(group.incidents)", "\(group.openAtEnd)", "\(group.closed)",
                        number(group.meanTimeToCloseHours, 1),
                    ]
                }
                content += table(
                    [
                        .text("Kind"), .text("Severity"), .number("Incidents"), .number("Open at end"), .number("Closed"),
                        .number("Mean time to close (h)"),
                    ], rows)
            }
        }
        return section("incidents", "Incidents", content)
    }

    static func alerts(_ report: FleetReport) -> String {
        var content = status(report.alerts, service: "fleet-alerting")
        if let summary = report.alerts.value {
            let bars = summary.byType.map { SVGChart.Bar(label: $0.label, value: Double($0.alerts), valueLabel: "\($0.alerts)") }
            content += SVGChart.horizontalBars(title: "Alerts by type", unit: "alerts", bars: bars, integers: true)
            if summary.all.alerts > 0 {
                let rows = (summary.byType + [summary.all]).map { row -> [String] in
                    [
                        row.label, "\(row.alerts)", "\(row.acknowledged)", "\(row.unacknowledgedAtEnd)", number(row.ackMeanSeconds, 1),
                        number(row.ackMedianSeconds, 1), number(row.ackP90Seconds, 1),
                    ]
                }
                content += table(
                    [
                        .text("Type"), .number("Alerts"), .number("Acknowledged"), .number("Unacknowledged at end"),
                        .number("Mean ack (s)"), .number("Median ack (s)"), .number("P90 ack (s)"),
                    ], rows)
                content += paragraph(
                    "Time to acknowledge counts the alerts acknowledged before the period's end; the median and 90th "
                        + "percentile are nearest-rank. Platform alerts (no vehicle): \(summary.platformAlerts).")
            }
        }
        return section("alerts", "Alerts by type", content)
    }

    static func commands(_ report: FleetReport) -> String {
        var content = status(report.commands, service: "fleet-control")
        if let summary = report.commands.value {
            if summary.all.issued == 0 {
                content += paragraph("No commands issued in the period.")
            } else {
                let rows = (summary.byAction + [summary.all]).map { row -> [String] in
                    [
                        row.label, "\(row.issued)", "\(row.acknowledged)", "\(row.rejected)", "\(row.failed)", "\(row.expired)",
                        "\(row.pending)", "\(row.other)", integer(row.latencyMedianMillis), integer(row.latencyP90Millis),
                    ]
                }
                content += table(
                    [
                        .text("Action"), .number("Issued"), .number("Acknowledged"), .number("Rejected"), .number("Failed"),
                        .number("Expired"), .number("Pending"), .number("Other"), .number("Median answer (ms)"),
                        .number("P90 answer (ms)"),
                    ], rows)
            }
        }
        return section("commands", "Commands", content)
    }

    static func health(_ report: FleetReport) -> String {
        var content = status(report.health, service: "fleet-health")
        if let summary = report.health.value {
            content += "<h3>Worst health</h3>\n"
            if summary.worst.isEmpty {
                content += paragraph("No health records.")
            } else {
                let rows = summary.worst.enumerated().map { item -> [String] in
                    let row = item.element
                    return ["\(item.offset + 1)", row.vehicleID, number(row.score, 1), row.maintenanceDueMillis.map(ReportFormat.timestamp) ?? "–", row.reason ?? ""]
                }
                content += table([.number("#"), .text("Vehicle"), .number("Score"), .text("Maintenance due"), .text("Reason")], rows)
                content += paragraph("Mean score over \(summary.vehicles) vehicles: \(number(summary.meanScore, 1)) (0 worst, 100 healthy).")
            }
            content += "<h3>Maintenance due</h3>\n"
            let horizon = ReportFormat.timestamp(summary.maintenanceHorizonMillis)
            if summary.maintenanceDue.isEmpty {
                content += paragraph("No vehicle has maintenance due before \(horizon).")
            } else {
                let rows = summary.maintenanceDue.map { row -> [String] in
                    [row.vehicleID, row.maintenanceDueMillis.map(ReportFormat.timestamp) ?? "", number(row.score, 1), row.reason ?? ""]
                }
                content += table([.text("Vehicle"), .text("Due"), .number("Score"), .text("Reason")], rows)
                content += paragraph("Vehicles whose predicted maintenance is before \(horizon) (the period's end + 14 days), overdue included.")
            }
        }
        return section("health", "Health and maintenance", content)
    }

    static func routing(_ report: FleetReport) -> String {
        var content = status(report.routing, service: "fleet-routing")
        if let summary = report.routing.value {
            if !summary.inUse {
                content += paragraph("Routing not in use: no route plans were made in the period.")
            } else {
                let rows = summary.routes.map { route -> [String] in
                    [
                        route.id, ReportFormat.timestamp(route.createdMillis), "\(route.vehicles)", "\(route.stops)", "\(route.served)",
                        "\(route.onTime)", "\(route.late)", percent(route.onTimeRate),
                    ]
                }
                let all: [String] = [
                    FleetReport.allLabel, "", "\(summary.vehicles)", "\(summary.stops)", "\(summary.served)", "\(summary.onTime)",
                    "\(summary.late)", percent(summary.onTimeRate),
                ]
                content += table(
                    [
                        .text("Plan"), .text("Created"), .number("Vehicles"), .number("Stops"), .number("Served"), .number("On time"),
                        .number("Late"), .number("On time (%)"),
                    ], rows + [all])
                content += paragraph("On time (%) = stops served within their time window ÷ stops served.")
            }
        }
        return section("routing", "Routing", content)
    }

    // MARK: Pieces

    /// A table column: its heading and whether it holds numbers (right-aligned).
    struct Column {
        var title: String
        var numeric: Bool

        static func text(_ title: String) -> Column { Column(title: title, numeric: false) }
        static func number(_ title: String) -> Column { Column(title: title, numeric: true) }
    }

    /// A table of plain-text cells (escaped here).
    static func table(_ columns: [Column], _ rows: [[String]]) -> String {
        var html = "<div class=\"scroll\"><table><thead><tr>"
        for column in columns { html += "<th\(column.numeric ? " class=\"n\"" : "")>\(escape(column.title))</th>" }
        html += "</tr></thead><tbody>\n"
        for row in rows {
            html += "<tr>"
            for (index, cell) in row.enumerated() {
                let numeric = index < columns.count && columns[index].numeric
                html += "<td\(numeric ? " class=\"n\"" : "")>\(escape(cell))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    static func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n\(content)</section>\n"
    }

    static func card(_ label: String, _ value: String, detail: String? = nil) -> String {
        let detailHTML = detail.map { "<div class=\"d\">\(escape($0))</div>" } ?? ""
        return "<div class=\"card\"><div class=\"k\">\(escape(label))</div><div class=\"v\">\(escape(value))</div>\(detailHTML)</div>"
    }

    static func paragraph(_ text: String) -> String { "<p>\(escape(text))</p>\n" }

    static func note(_ text: String) -> String { "<p class=\"note\">\(escape(text))</p>\n" }

    /// A note when the section is unavailable or incomplete; empty otherwise.
    static func status<Value: Sendable & Codable & Hashable>(_ section: ComputedSection<Value>, service: String) -> String {
        if let reason = section.unavailable { return note("Unavailable: \(reason.explanation).") }
        if section.truncated {
            return note("Incomplete: \(service) stopped at its row limit, so these figures cover only the first records of the period.")
        }
        return ""
    }

    static func escape(_ text: String) -> String { ReportFormat.html(text) }

    /// A number with `decimals` decimals, `–` for nil.
    static func number(_ value: Double?, _ decimals: Int) -> String {
        let text = ReportFormat.fixed(value, decimals)
        return text.isEmpty ? "–" : text
    }

    /// A number with `decimals` decimals and its unit (`12.5 km`), `–` for nil.
    static func figure(_ value: Double?, _ decimals: Int, _ unit: String) -> String {
        let text = ReportFormat.fixed(value, decimals)
        return text.isEmpty ? "–" : "\(text) \(unit)"
    }

    /// A ratio as a percentage with one decimal, `–` for nil.
    static func percent(_ ratio: Double?) -> String {
        let text = ReportFormat.percent(ratio, 1)
        return text.isEmpty ? "–" : text
    }

    static func integer(_ value: Int64?) -> String { value.map { String($0) } ?? "–" }

    static func periodText(_ period: ReportPeriod) -> String {
        "\(ReportFormat.timestamp(period.fromMillis)) – \(ReportFormat.timestamp(period.toMillis))"
    }

    /// The page's only styling: system fonts, a single column that fits a phone, tables that scroll sideways, and a
    /// print layout that keeps sections whole.
    static let style = """
        *{box-sizing:border-box}
        body{margin:0;padding:16px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;background:#fff;line-height:1.4}
        main{max-width:980px;margin:0 auto}
        h1{font-size:1.6em;margin:0 0 4px}
        h2{font-size:1.2em;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid #d9e2ec}
        h3{font-size:1em;margin:16px 0 4px}
        .sub{margin:0 0 12px;color:#52606d}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
        .card{border:1px solid #d9e2ec;border-radius:6px;padding:8px 10px}
        .card .k{font-size:.8em;color:#52606d}
        .card .v{font-size:1.35em;font-weight:600;font-variant-numeric:tabular-nums}
        .card .d{font-size:.8em;color:#52606d}
        .note{background:#fff8e1;border-left:4px solid #f0b429;padding:6px 10px;margin:8px 0}
        ul.note{padding-left:28px}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.9em;margin:8px 0}
        th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
        th{background:#f5f7fa}
        .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        svg.chart{display:block;width:100%;max-width:720px;height:auto;margin:8px 0}
        svg.chart text{font-size:11px;fill:#3e4c59}
        svg.chart text.unit{font-weight:600}
        svg.chart text.empty{font-size:14px;fill:#7b8794}
        svg.chart .bar{fill:#2f80ed}
        svg.chart .grid{stroke:#e4e7eb;stroke-width:1}
        svg.chart .axis{stroke:#7b8794;stroke-width:1}
        footer{margin-top:32px;padding-top:8px;border-top:1px solid #d9e2ec;font-size:.85em;color:#52606d}
        @media (max-width:600px){body{padding:8px}h1{font-size:1.3em}th,td{padding:3px 4px}.cards{grid-template-columns:repeat(2,1fr)}}
        @media print{body{padding:0;font-size:11pt}main{max-width:none}section{break-inside:avoid}.scroll{overflow:visible}
        svg.chart .bar,th,.note{-webkit-print-color-adjust:exact;print-color-adjust:exact}}

        """
}
