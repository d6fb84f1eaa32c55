@testable import FleetReports
import Foundation
import Testing

/// The HTML page: self-contained (no script, no external URL), escaped data, one SVG per chart, and pages for empty or
/// partial data that still render and say so.
@Suite("Report HTML")
struct ReportHTMLTests {
    /// The fixture with a hostile vehicle id and tag.
    static func hostileInput() -> ReportInput {
        var input = ReportFixture.input()
        input.vehicles[2].vehicleID = "<img src=x onerror=alert(1)>"
        input.vehicles[2].tags = ["\"><script>alert('tag')</script>"]
        input.health.records.append(
            VehicleHealthRecord(vehicleID: "<img src=x onerror=alert(1)>", score: 1, maintenanceDueMillis: ReportFixture.to, reason: "<b>&</b>"))
        input.title = "Fleet <Riviera> & \"Co\" 'Ltd'"
        return input
    }

    /// Every markup tag of `html` (`<…>`), in order.
    static func tags(_ html: String) -> [Substring] {
        var tags: [Substring] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            tags.append(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return tags
    }

    /// Whether `text` has `nan` or `inf` as a word of its own (as printf writes non-finite numbers), not inside a word
    /// such as "maintenance".
    static func containsNonFinite(_ text: String) -> Bool {
        let words = text.lowercased().split { !$0.isLetter }
        return words.contains { $0 == "nan" || $0 == "inf" || $0 == "infinity" }
    }

    static func occurrences(of needle: String, in html: String) -> Int {
        html.components(separatedBy: needle).count - 1
    }

    @Test("self-contained: no script, no external URL, no src or href, inline style only")
    func selfContained() {
        let html = ReportHTML.render(FleetReport(input: Self.hostileInput()))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("://"))
        #expect(!html.contains("@import") && !html.contains("url("))
        #expect(Self.occurrences(of: "<style>", in: html) == 1)
        for tag in Self.tags(html) {
            let lowered = tag.lowercased()
            #expect(!lowered.contains("src=") && !lowered.contains("href=") && !lowered.contains(" on"), "\(tag)")
            #expect(!lowered.hasPrefix("<link") && !lowered.hasPrefix("<img") && !lowered.hasPrefix("<iframe"), "\(tag)")
            #expect(!lowered.contains("//"), "\(tag)")
        }
    }

    @Test("every text from the data is escaped")
    func escaped() {
        let html = ReportHTML.render(FleetReport(input: Self.hostileInput()))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&quot;&gt;&lt;script&gt;alert(&#39;tag&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"))
        #expect(html.contains("<title>Fleet &lt;Riviera&gt; &amp; &quot;Co&quot; &#39;Ltd&#39;</title>"))
        #expect(ReportFormat.html("& < > \" '") == "&amp; &lt; &gt; &quot; &#39;")
    }

    @Test("one SVG per chart: daily distance, distance per tag, downtime, alerts")
    func charts() {
        let html = ReportHTML.render(FleetReport(input: ReportFixture.input()))
        #expect(Self.occurrences(of: "<svg", in: html) == 4)
        #expect(Self.occurrences(of: "</svg>", in: html) == 4)
        // Seven daily columns, three tag bars, four cause bars, three alert-type bars.
        #expect(Self.occurrences(of: "<rect class=\"bar\"", in: html) == 17)
        #expect(!html.contains("no data"))
        #expect(!Self.containsNonFinite(html))
        for heading in ["Summary", "Daily distance", "Distance per tag", "Downtime by cause", "Incidents", "Alerts by type", "Commands",
                        "Health and maintenance", "Routing"] {
            #expect(html.contains("<h2>\(heading)</h2>"), "\(heading)")
        }
        #expect(html.contains("<footer>Period: 2024-05-06T00:00:00Z – 2024-05-13T00:00:00Z. Generated: 2024-05-13T01:00:00Z."))
        #expect(html.contains("<td class=\"n\">247.0</td>"))
        #expect(html.contains("<div class=\"k\">Distance</div><div class=\"v\">200.0 km</div>"))
        #expect(html.contains("<div class=\"k\">On-time stops</div><div class=\"v\">83.3 %</div>"))
        #expect(html.contains("Worst health") && html.contains("Maintenance due"))
    }

    @Test("an empty report renders and says no data; routing not in use")
    func emptyReport() {
        let html = ReportHTML.render(FleetReport(input: ReportFixture.emptyInput()))
        #expect(html.hasSuffix("</html>\n"))
        #expect(Self.occurrences(of: "<svg", in: html) == 4)
        #expect(Self.occurrences(of: "no data", in: html) == 4)
        #expect(html.contains("Routing not in use"))
        #expect(html.contains("No incidents in the period."))
        #expect(html.contains("No commands issued in the period."))
        #expect(!Self.containsNonFinite(html))
    }

    @Test("unavailable sections are stated with their reason; a tag report leaves route plans out")
    func unavailable() {
        var input = ReportFixture.input(tag: "vans")
        input.alerts = ReportSection(unavailable: .requestFailed("fleet-alerting", message: "connection refused"))
        input.health = ReportSection(unavailable: .notConfigured("fleet-health"))
        input.commands = ReportSection(records: ReportFixture.commands, truncated: true)
        let html = ReportHTML.render(FleetReport(input: input))
        #expect(html.contains("<h2>Unavailable sections</h2>"))
        #expect(html.contains("Unavailable: request to fleet-alerting failed: connection refused."))
        #expect(html.contains("Unavailable: fleet-health is not configured."))
        #expect(html.contains("Incomplete: fleet-control stopped at its row limit"))
        #expect(html.contains("fleet-routing records are fleet-wide"))
        // Daily distance, tags, downtime; no alerts chart without alerts.
        #expect(Self.occurrences(of: "<svg", in: html) == 3)
        #expect(html.contains("Fleet report for") && html.contains("tag vans"))
    }

    @Test("charts: empty data says no data, a single or zero value draws without dividing by zero")
    func chartEdges() {
        let empty = SVGChart.columns(title: "t", unit: "km", bars: [])
        #expect(empty.contains("no data") && empty.hasPrefix("<svg"))
        for value in [0.0, 5.0, -3.0, Double.nan, Double.infinity] {
            for svg in [
                SVGChart.columns(title: "t", unit: "km", bars: [SVGChart.Bar(label: "one", value: value, valueLabel: "v")]),
                SVGChart.horizontalBars(title: "t", unit: "km", bars: [SVGChart.Bar(label: "one", value: value, valueLabel: "v")]),
            ] {
                #expect(!Self.containsNonFinite(svg) && !svg.contains("=\"\""), "\(value): \(svg)")
                #expect(svg.contains("<rect class=\"bar\""))
                #expect(!svg.contains("no data"))
            }
        }
        let single = SVGChart.columns(title: "t", unit: "km", bars: [SVGChart.Bar(label: "one", value: 5, valueLabel: "5")])
        // Axis 0…5 in steps of 1: the bar reaches the top (y 24) from the axis (y 224).
        #expect(single.contains("y=\"24.0\" width=\"400.4\" height=\"200.0\""))
    }

    @Test("nice axis steps are 1, 2 or 5 × 10ⁿ and the axis covers the maximum")
    func niceScale() {
        let cases: [(maximum: Double, integers: Bool, step: Double, top: Double)] = [
            (7, false, 2, 8), (200, false, 50, 200), (120, false, 50, 150), (0, false, 0.2, 1), (0, true, 1, 1), (3, true, 1, 3),
        ]
        for expected in cases {
            let scale = SVGChart.scale(maximum: expected.maximum, integers: expected.integers)
            #expect(scale.step == expected.step && scale.top == expected.top, "\(expected) gave \(scale)")
        }
        for maximum in [0.013, 0.3, 0.7, 1, 3, 9.99, 10, 11, 99, 1234, 98_765] {
            let (step, top) = SVGChart.scale(maximum: maximum, integers: false)
            let mantissa = step / powerOfTen(floorLog10(step))
            #expect([1.0, 2.0, 5.0].contains { abs($0 - mantissa) < 1e-9 }, "\(maximum): step \(step)")
            #expect(top >= maximum - 1e-9 && top - step < maximum, "\(maximum): top \(top)")
            #expect(top / step >= 1 && top / step <= 10.000001, "\(maximum): \(top / step) ticks")
        }
        #expect(SVGChart.tickLabel(0.4, step: 0.2) == "0.4")
        #expect(SVGChart.tickLabel(150, step: 50) == "150")
        #expect(SVGChart.tickLabel(0.05, step: 0.01) == "0.05")
    }

    /// 10 to the power `exponent`, by repeated multiplication (no Foundation needed here).
    func powerOfTen(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<abs(exponent) { value *= 10 }
        return exponent < 0 ? 1 / value : value
    }

    /// ⌊log₁₀ value⌋ for a positive value.
    func floorLog10(_ value: Double) -> Int {
        var exponent = 0
        var scaled = value
        while scaled >= 10 - 1e-9 { scaled /= 10; exponent += 1 }
        while scaled < 1 - 1e-9 { scaled *= 10; exponent -= 1 }
        return exponent
    }
}
