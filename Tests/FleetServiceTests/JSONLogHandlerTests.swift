import FleetService
import Foundation
import Logging
import Testing

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    private func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any])
    }

    @Test("Writes one parseable JSON object per line with the expected fields")
    func fields() throws {
        let collector = LineCollector()
        var logger = Logger(label: "fleet.test") { label in
            JSONLogHandler(label: label, logLevel: .debug, includeSourceLocation: true, output: collector.output)
        }
        logger[metadataKey: "service"] = "telemetry"
        logger.info(
            "Vehicle \"42\" said:\nhello\\world\t\u{1}",
            metadata: [
                "request": ["id": "abc", "route": ["method": "GET"]],
                "tags": ["a", "b\"c"],
                "count": .stringConvertible(3),
            ]
        )
        logger.trace("filtered out")

        let lines = collector.lines
        try #require(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false, "newlines inside values must be escaped")

        let json = try parse(line)
        #expect(json["level"] as? String == "info")
        #expect(json["label"] as? String == "fleet.test")
        #expect(json["message"] as? String == "Vehicle \"42\" said:\nhello\\world\t\u{1}")
        #expect(json["source"] as? String == "FleetServiceTests")
        let file = try #require(json["file"] as? String)
        #expect(file.hasPrefix("JSONLogHandlerTests.swift:"))

        let timestamp = try #require(json["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "got \(timestamp)")

        let metadata = try #require(json["metadata"] as? [String: Any])
        #expect(metadata["service"] as? String == "telemetry")
        #expect(metadata["request.id"] as? String == "abc")
        #expect(metadata["request.route.method"] as? String == "GET")
        #expect(metadata["tags"] as? [String] == ["a", "b\"c"])
        #expect(metadata["count"] as? String == "3")
    }

    @Test("Omits metadata and location when there is none, includes errors")
    func minimal() throws {
        let collector = LineCollector()
        let logger = Logger(label: "minimal") { JSONLogHandler(label: $0, output: collector.output) }
        struct Boom: Error, CustomStringConvertible {
            var description: String { "boom \"x\"" }
        }
        logger.error("failed", error: Boom())

        let json = try parse(try #require(collector.lines.first))
        #expect(json["metadata"] == nil)
        #expect(json["file"] == nil)
        #expect(json["error"] as? String == "boom \"x\"")
        #expect(json["level"] as? String == "error")
    }

    @Test("Call-site metadata wins over provider and handler metadata")
    func metadataPrecedence() throws {
        let collector = LineCollector()
        let provider = Logger.MetadataProvider { ["origin": "provider", "trace": "t-1"] }
        var logger = Logger(label: "precedence") {
            JSONLogHandler(label: $0, metadataProvider: provider, output: collector.output)
        }
        logger[metadataKey: "origin"] = "handler"
        logger[metadataKey: "fixed"] = "yes"
        logger.info("first")
        logger.info("second", metadata: ["origin": "call"])

        let lines = collector.lines
        try #require(lines.count == 2)
        let first = try #require(try parse(lines[0])["metadata"] as? [String: String])
        let second = try #require(try parse(lines[1])["metadata"] as? [String: String])
        #expect(first == ["origin": "provider", "trace": "t-1", "fixed": "yes"])
        #expect(second == ["origin": "call", "trace": "t-1", "fixed": "yes"])
    }

    @Test("Concurrent loggers produce whole lines")
    func concurrentWrites() async throws {
        let collector = LineCollector()
        let logger = Logger(label: "concurrent") { JSONLogHandler(label: $0, output: collector.output) }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<100 {
                        logger.info("message \(index)", metadata: ["task": "\(task)"])
                    }
                }
            }
        }
        let lines = collector.lines
        #expect(lines.count == 800)
        for line in lines {
            _ = try parse(line)
        }
    }

    @Test("Text format uses swift-log's stream handler at the configured level")
    func textFormat() {
        let handler = FleetLogging.makeHandler(label: "text", configuration: LogConfiguration(level: .warning, format: .text))
        #expect(handler is StreamLogHandler)
        #expect(handler.logLevel == .warning)
        let json = FleetLogging.makeHandler(label: "json", configuration: LogConfiguration(level: .debug, format: .json))
        #expect(json is JSONLogHandler)
        #expect(json.logLevel == .debug)
    }
}
