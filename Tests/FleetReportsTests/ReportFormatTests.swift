@testable import FleetReports
import Testing

/// Locale-independent numbers and hand-computed ISO 8601 UTC times.
@Suite("Report formatting")
struct ReportFormatTests {
    @Test("ISO 8601 UTC timestamps, milliseconds only when present, before 1970 and on leap days")
    func timestamps() {
        #expect(ReportFormat.timestamp(0) == "1970-01-01T00:00:00Z")
        #expect(ReportFormat.timestamp(ReportFixture.from) == "2024-05-06T00:00:00Z")
        #expect(ReportFormat.timestamp(ReportFixture.from + 45_296_789) == "2024-05-06T12:34:56.789Z")
        #expect(ReportFormat.timestamp(951_782_400_000) == "2000-02-29T00:00:00Z")
        #expect(ReportFormat.timestamp(-1) == "1969-12-31T23:59:59.999Z")
        #expect(ReportFormat.timestamp(-2_203_891_200_000) == "1900-03-01T00:00:00Z")
        #expect(ReportFormat.day(ReportFixture.to - 1) == "2024-05-12")
        #expect(ReportFormat.shortDay(ReportFixture.from) == "05-06")
    }

    @Test("fixed decimals with a point, no negative zero, empty for nil and non-finite values")
    func numbers() {
        #expect(ReportFormat.fixed(1234.5678, 2) == "1234.57")
        #expect(ReportFormat.fixed(0.125, 1) == "0.1")
        #expect(ReportFormat.fixed(3, 0) == "3")
        #expect(ReportFormat.fixed(-0.0001, 2) == "0.00")
        #expect(ReportFormat.fixed(-1.5, 1) == "-1.5")
        #expect(ReportFormat.fixed(nil, 2) == "")
        #expect(ReportFormat.fixed(Double.nan, 2) == "")
        #expect(ReportFormat.fixed(-Double.infinity, 2) == "")
        #expect(ReportFormat.percent(0.8333333, 2) == "83.33")
    }

    @Test("labels are cut by characters, not bytes")
    func truncation() {
        #expect(ReportFormat.truncated("short", to: 10) == "short")
        #expect(ReportFormat.truncated("ünïcödé-label", to: 6) == "ünïcö…")
        #expect(ReportFormat.truncated("🚚🚚🚚", to: 2) == "🚚…")
    }

    @Test("HTML escaping also replaces control characters")
    func escaping() {
        #expect(ReportFormat.html("a\u{0}b\u{7}c\td") == "a\u{FFFD}b\u{FFFD}c\td")
        #expect(ReportFormat.html("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
    }
}
