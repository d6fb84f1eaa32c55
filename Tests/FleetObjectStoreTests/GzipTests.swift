import Testing

@testable import FleetObjectStore

@Suite struct GzipTests {
    @Test func membersInflateAloneAndTogether() throws {
        let writer = GzipWriter()
        var ranges: [Range<Int>] = []
        var texts: [String] = []
        for index in 0..<5 {
            let text = String(repeating: "vehicle-\(index) row\n", count: 200 + index * 50)
            texts.append(text)
            try writer.write(text)
            ranges.append(try writer.finishMember())
        }
        #expect(try writer.finishMember().isEmpty)
        let bytes = writer.takeOutput()
        // Ranges are contiguous and cover the whole output.
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == bytes.count)
        for (range, text) in zip(ranges, texts) {
            #expect(String(decoding: try Gunzip.inflate(Array(bytes[range])), as: UTF8.self) == text)
        }
        #expect(String(decoding: try Gunzip.inflate(bytes), as: UTF8.self) == texts.joined())
        // gzip magic at the start of every member.
        for range in ranges { #expect(bytes[range.lowerBound] == 0x1f && bytes[range.lowerBound + 1] == 0x8b) }
    }

    @Test func largeInputCompresses() throws {
        let writer = GzipWriter()
        var expected: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let line = "{\"seq\":\(UInt32.random(in: 0...1_000_000, using: &generator)),\"status\":\"moving\"}\n"
            expected += Array(line.utf8)
            try writer.write(line)
        }
        try writer.finishMember()
        let bytes = writer.takeOutput()
        #expect(bytes.count < expected.count / 2)
        #expect(try Gunzip.inflate(bytes) == expected)
        #expect(writer.output.isEmpty)
    }

    @Test func corruptTruncatedAndOversizedDataIsRefused() throws {
        let writer = GzipWriter()
        try writer.write(String(repeating: "abc", count: 10_000))
        try writer.finishMember()
        let bytes = writer.takeOutput()
        #expect(throws: GzipError.self) { try Gunzip.inflate(Array(bytes.dropLast(10))) }
        var flipped = bytes
        flipped[bytes.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        #expect(throws: GzipError.self) { try Gunzip.inflate(flipped) }
        #expect(throws: GzipError.self) { try Gunzip.inflate(Array("not gzip at all".utf8)) }
        #expect(throws: GzipError.tooLarge(limit: 1_000)) { try Gunzip.inflate(bytes, limit: 1_000) }
        #expect(try Gunzip.inflate([]) == [])
    }
}
