@testable import FleetReports
import Testing

/// The CSV files: RFC 4180 quoting, CRLF lines, fixed decimals, empty fields for nil, formula-injection guard, and
/// the same number of fields in every row (checked by parsing every file back with a strict RFC 4180 parser).
@Suite("Report CSV")
struct ReportCSVTests {
    @Test("the ten files in their fixed order")
    func fileOrder() {
        let files = ReportCSV.files(for: FleetReport(input: ReportFixture.input()))
        #expect(files.map { $0.name } == [
            "summary.csv", "vehicles.csv", "tags.csv", "downtime.csv", "alerts.csv", "commands.csv", "incidents.csv", "health.csv",
            "routes.csv", "daily.csv",
        ])
        #expect(files.map { $0.name } == ReportCSV.fileNames)
    }

    @Test("fields are quoted when they contain a comma, a quote, CR or LF; quotes doubled")
    func quoting() {
        #expect(ReportCSV.text("plain") == "plain")
        #expect(ReportCSV.text("a,b") == "\"a,b\"")
        #expect(ReportCSV.text("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportCSV.text("two\nlines") == "\"two\nlines\"")
        #expect(ReportCSV.text("cr\rhere") == "\"cr\rhere\"")
        #expect(ReportCSV.text("crlf\r\nhere") == "\"crlf\r\nhere\"")
        #expect(ReportCSV.text("") == "")
        #expect(ReportCSV.text(nil) == "")
        #expect(ReportCSV.text("ünïcode ✓") == "ünïcode ✓")
    }

    @Test("text starting with = + - @ tab or CR is prefixed with an apostrophe; numbers are not")
    func formulaInjection() {
        #expect(ReportCSV.text("=SUM(A1:A9)") == "'=SUM(A1:A9)")
        #expect(ReportCSV.text("+1") == "'+1")
        #expect(ReportCSV.text("-2+3") == "'-2+3")
        #expect(ReportCSV.text("@cmd") == "'@cmd")
        #expect(ReportCSV.text("\tTab") == "'\tTab")
        #expect(ReportCSV.text("\r\nx") == "\"'\r\nx\"")
        #expect(ReportCSV.text("=A1,B1") == "\"'=A1,B1\"")
        #expect(ReportCSV.text("a=b") == "a=b")
        #expect(ReportCSV.number(-5, 2) == "-5.00")
    }

    @Test("numbers have fixed decimals and a point; nil is an empty field")
    func numbers() throws {
        let report = FleetReport(input: ReportFixture.input())
        let summary = try Self.table(ReportCSV.summary(report))
        let values = Dictionary(summary.dropFirst().map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        #expect(summary.first == ["field", "value"])
        #expect(values["title"] == "Riviera Deliveries")
        #expect(values["tag"] == "")
        #expect(values["period_from"] == "2024-05-06T00:00:00Z")
        #expect(values["period_to"] == "2024-05-13T00:00:00Z")
        #expect(values["generated"] == "2024-05-13T01:00:00Z")
        #expect(values["vehicles"] == "3")
        #expect(values["distance_km"] == "200.00")
        #expect(values["driving_h"] == "15.00")
        #expect(values["utilisation_pct"] == "2.98")
        #expect(values["battery_used_pct"] == "65.5")
        #expect(values["fuel_used_pct"] == "10.0")
        #expect(values["mtbf_h"] == "123.50")
        #expect(values["mttr_h"] == "2.50")
        #expect(values["alerts"] == "8")
        #expect(values["alert_ack_median_s"] == "60.0")
        #expect(values["alert_ack_p90_s"] == "600.0")
        #expect(values["command_latency_median_ms"] == "8")
        #expect(values["on_time_pct"] == "83.33")
        #expect(values["section_alerts"] == "ok")

        #expect(ReportCSV.downtime(report) == [
            "cause,episodes,downtime_h,mttr_h,mtbf_h",
            "fault,2,6.00,3.00,247.00",
            "paused,1,1.00,1.00,494.00",
            "charging,0,0.00,,",
            "offline,1,3.00,3.00,494.00",
            "(all),4,10.00,2.50,123.50",
        ].map { $0 + "\r\n" }.joined())

        let vehicles = try Self.table(ReportCSV.vehicles(report))
        let bot = try #require(vehicles.first { $0.first == "bot-3" })
        let header = try #require(vehicles.first)
        func field(_ row: [String], _ name: String) -> String? { header.firstIndex(of: name).map { row[$0] } }
        #expect(field(bot, "battery_used_pct") == "")
        #expect(field(bot, "fuel_used_pct") == "")
        #expect(field(bot, "utilisation_pct") == "0.00")
        #expect(field(bot, "health_score") == "35.5")
        #expect(field(bot, "maintenance_due") == "2024-06-02T00:00:00Z")
        let van1 = try #require(vehicles.first { $0.first == "van-1" })
        #expect(field(van1, "tags") == "north;vans")
        #expect(field(van1, "downtime_fault_h") == "2.00")
        #expect(field(van1, "downtime_paused_h") == "1.00")
        #expect(field(van1, "alerts") == "3")
    }

    @Test("every file parses back as RFC 4180 with the header's number of fields in every row")
    func everyRowHasTheHeadersWidth() throws {
        var input = ReportFixture.input()
        input.vehicles[0].vehicleID = "=cmd|' /C calc'!A0"
        input.vehicles[0].tags = ["a,b\"c", "line\r\nbreak"]
        input.title = "+Fleet, \"quoted\""
        for report in [FleetReport(input: input), FleetReport(input: ReportFixture.emptyInput())] {
            for file in ReportCSV.files(for: report) {
                #expect(file.contents.hasSuffix("\r\n"), "\(file.name)")
                let rows = try Self.table(file.contents)
                let header = try #require(rows.first, "\(file.name)")
                #expect(header.count > 1, "\(file.name)")
                for (index, row) in rows.enumerated() {
                    #expect(row.count == header.count, "\(file.name) row \(index): \(row)")
                }
            }
        }
        let report = FleetReport(input: input)
        let vehicles = try Self.table(ReportCSV.vehicles(report))
        let injected = try #require(vehicles.first { $0.first?.hasPrefix("'=") == true })
        #expect(injected[0] == "'=cmd|' /C calc'!A0")
        #expect(injected[1] == "a,b\"c;line\r\nbreak")
        let summary = try Self.table(ReportCSV.summary(report))
        #expect(summary[1] == ["title", "'+Fleet, \"quoted\""])
    }

    @Test("an unavailable section has its header only and summary.csv says why")
    func unavailableSection() throws {
        var input = ReportFixture.input()
        input.alerts = ReportSection(unavailable: .requestFailed("fleet-alerting", message: "timed out"))
        input.commands = ReportSection(records: [], truncated: true)
        let report = FleetReport(input: input)
        let alerts = try Self.table(ReportCSV.alerts(report))
        #expect(alerts.count == 1)
        let summary = try Self.table(ReportCSV.summary(report))
        let values = Dictionary(summary.dropFirst().map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        #expect(values["section_alerts"] == "unavailable: request to fleet-alerting failed: timed out")
        #expect(values["section_commands"] == "truncated")
        #expect(values["alerts"] == "")
        #expect(values["commands"] == "0")
    }

    @Test("the parser used here rejects what is not RFC 4180, so the checks above can fail")
    func parserIsStrict() {
        #expect(throws: CSVError.self) { try Self.table("a,b\nc,d\n") }
        #expect(throws: CSVError.self) { try Self.table("a,\"b\r\n") }
        #expect(throws: CSVError.self) { try Self.table("a,b\"c\r\n") }
        #expect(throws: CSVError.self) { try Self.table("a,b") }
        #expect((try? Self.table("a,\"b,\"\"c\"\"\"\r\n")) == [["a", "b,\"c\""]])
    }

    // MARK: A strict RFC 4180 parser

    enum CSVError: Error {
        case quoteInsideField(Int)
        case textAfterClosingQuote(Int)
        case bareLineBreak(Int)
        case unterminatedQuote
        case missingFinalLineBreak
    }

    /// Rows of `text`: fields separated by commas, every line ended by CRLF, quoted fields with doubled quotes.
    static func table(_ text: String) throws -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var closed = false
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if quoted {
                if scalar == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.append("\"")
                        index += 2
                        continue
                    }
                    quoted = false
                    closed = true
                } else {
                    field.append(scalar)
                }
                index += 1
                continue
            }
            switch scalar {
            case ",":
                row.append(String(field))
                field = String.UnicodeScalarView()
                closed = false
            case "\r":
                guard index + 1 < scalars.count, scalars[index + 1] == "\n" else { throw CSVError.bareLineBreak(index) }
                row.append(String(field))
                rows.append(row)
                row = []
                field = String.UnicodeScalarView()
                closed = false
                index += 1
            case "\n":
                throw CSVError.bareLineBreak(index)
            case "\"":
                guard field.isEmpty, !closed else { throw CSVError.quoteInsideField(index) }
                quoted = true
            default:
                guard !closed else { throw CSVError.textAfterClosingQuote(index) }
                field.append(scalar)
            }
            index += 1
        }
        guard !quoted else { throw CSVError.unterminatedQuote }
        guard row.isEmpty, field.isEmpty, !closed else { throw CSVError.missingFinalLineBreak }
        return rows
    }
}
