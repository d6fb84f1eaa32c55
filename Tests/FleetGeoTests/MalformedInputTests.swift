import FleetCore
import FleetGeo
import Foundation
import Testing

@Suite("Malformed input gives typed errors")
struct MalformedInputTests {
    static let pbf = (try? Data(contentsOf: Monaco.pbfURL)) ?? Data()

    /// Byte offsets where each PBF frame (length + BlobHeader + Blob) ends.
    static let frameEnds: [Int] = {
        let bytes = [UInt8](pbf)
        var ends: [Int] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let headerLength = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            var index = offset + 4
            let headerEnd = index + headerLength
            var dataSize = 0
            while index < headerEnd {  // BlobHeader: find field 3 (datasize, varint).
                let key = bytes[index]
                index += 1
                if key == 0x18 {
                    var shift = 0
                    while true {
                        let byte = bytes[index]
                        index += 1
                        dataSize |= Int(byte & 0x7F) << shift
                        shift += 7
                        if byte & 0x80 == 0 { break }
                    }
                } else if key & 7 == 2 {
                    index += Int(bytes[index]) + 1  // Short strings only (type, indexdata).
                } else {
                    break
                }
            }
            offset = headerEnd + dataSize
            ends.append(offset)
        }
        return ends
    }()

    private func pbfError(_ data: Data) -> OSMError? {
        do {
            _ = try OSMPBFReader.read(data: data)
            return nil
        } catch {
            return error
        }
    }

    private func xmlError(_ text: String) -> OSMError? {
        do {
            _ = try OSMXMLReader.read(data: Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("The frame scan matches the file (the test's own premise)")
    func frames() {
        #expect(Self.frameEnds.count > 3)
        #expect(Self.frameEnds.last == Self.pbf.count)
    }

    @Test("Truncated PBF files are reported as truncated")
    func truncatedPBF() {
        let ends = Self.frameEnds
        var cuts = [0, 1, 3, 4, 10, ends[0] - 1, ends[0] + 2, ends[1] + 4, ends[1] + 30, Self.pbf.count - 1]
        cuts += [ends[0] + (ends[1] - ends[0]) / 2, Self.pbf.count / 2]
        cuts = cuts.filter { cut in !ends.contains(cut) }
        for cut in cuts {
            let error = pbfError(Self.pbf.prefix(cut))
            #expect(error?.kind == .truncated, "cut at \(cut): \(String(describing: error))")
        }
        // Cutting exactly between frames leaves a valid, smaller file.
        #expect(pbfError(Self.pbf.prefix(ends[1])) == nil)
    }

    @Test("Corrupted PBF bytes never crash and always throw OSMError or read")
    func corruptedPBF() throws {
        let small = [UInt8](Self.pbf.prefix(Self.frameEnds[1]))
        var rng = SplitMix64(seed: 99)
        var failures: [OSMError.Kind: Int] = [:]
        for round in 0..<60 {
            var mutated = small
            let flips = round < 30 ? 1 : 8
            for _ in 0..<flips {
                // Half the mutations hit the first 200 bytes (framing, headers), half anywhere.
                let position = Bool.random(using: &rng) ? Int.random(in: 0..<200, using: &rng) : Int.random(in: 0..<small.count, using: &rng)
                mutated[position] ^= UInt8.random(in: 1...255, using: &rng)
            }
            if let error = pbfError(Data(mutated)) { failures[error.kind, default: 0] += 1 }
        }
        #expect(failures.values.reduce(0, +) > 30)

        // A corrupted zlib stream is a decompression failure.
        var zlib = small
        let dataBlob = Self.frameEnds[0]
        for position in (dataBlob + 40)..<(dataBlob + 60) { zlib[position] = 0xFF }
        #expect(pbfError(Data(zlib))?.kind == .decompressionFailed)
    }

    @Test("Non-PBF data and unsupported features are rejected")
    func notPBF() {
        #expect(pbfError(Data("<osm></osm>".utf8)) != nil)
        #expect(pbfError(Data([0xFF, 0xFF, 0xFF, 0xFF]))?.kind == .tooLarge)
        // A frame whose blob is an OSMData before any OSMHeader.
        var data = Data(Self.pbf[Self.frameEnds[0]..<Self.frameEnds[1]])
        #expect(pbfError(data)?.kind == .malformed)
        // An OSMHeader requiring an unknown feature: same frame structure, rebuilt.
        let feature = Array("Teleportation".utf8)
        let headerBlock: [UInt8] = [0x22, UInt8(feature.count)] + feature
        let blob: [UInt8] = [0x0A, UInt8(headerBlock.count)] + headerBlock
        let blobHeader: [UInt8] = [0x0A, 9] + Array("OSMHeader".utf8) + [0x18, UInt8(blob.count)]
        data = Data([0, 0, 0, UInt8(blobHeader.count)] + blobHeader + blob)
        #expect(pbfError(data)?.kind == .unsupported)
    }

    @Test("Bad XML is reported as malformed", arguments: [
        "", "not xml at all", "<notosm/>", "<osm></node></osm>", "<osm><node id=\"1\" lat=\"north\" lon=\"7.4\"/></osm>",
        "<osm><node id=\"1\" lat=\"93.0\" lon=\"7.4\"/></osm>", "<osm><node lat=\"43\" lon=\"7\"/></osm>",
        "<osm><way id=\"5\"><nd ref=\"x\"/></way></osm>", "<osm><way id=\"5\"><tag k=\"highway\"/></way></osm>",
        "<osm><node id=\"1\" lat=\"43.7\" lon=\"7.4\"/><node",
    ])
    func badXML(text: String) {
        let error = xmlError(text)
        #expect(error?.kind == .malformed, "\(text): \(String(describing: error))")
    }

    @Test("XML cut short is reported as truncated or malformed", arguments: [
        "<osm>", "<osm><node id=\"1\" lat=\"43.7\" lon=\"7.4\"></osm>", "<osm><way id=\"1\"><nd ref=\"1\"/>",
    ])
    func truncatedXML(text: String) {
        let error = xmlError(text)
        #expect(error?.kind == .truncated || error?.kind == .malformed, "\(text): \(String(describing: error))")
    }

    @Test("Truncated Monaco XML is rejected")
    func truncatedMonacoXML() throws {
        let data = try Data(contentsOf: Monaco.xmlURL)
        for cut in [data.count / 3, data.count - 10] {
            #expect(throws: OSMError.self) { try OSMXMLReader.read(data: data.prefix(cut)) }
        }
    }

    @Test("Well-formed minimal XML reads; ways without highway and other elements are ignored")
    func minimalXML() throws {
        let extract = try OSMXMLReader.read(data: Data("""
            <?xml version="1.0"?>
            <osm version="0.6"><bounds minlat="0" minlon="0" maxlat="1" maxlon="1"/>
            <node id="1" lat="43.7384100" lon="7.4246" version="3"><tag k="highway" v="traffic_signals"/></node>
            <node id="2" lat="-0.00000005" lon="+7.42460004"/>
            <way id="9"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/><tag k="name" v="A &amp; B"/></way>
            <way id="10"><nd ref="1"/><tag k="building" v="yes"/></way>
            <relation id="3"><member type="way" ref="9" role=""/><tag k="highway" v="x"/></relation>
            </osm>
            """.utf8))
        #expect(extract.ways == [OSMWay(id: 9, nodeIDs: [1, 2], tags: ["highway": "residential", "name": "A & B"])])
        #expect(extract.nodes == [
            OSMNode(id: 1, latitudeE7: 437_384_100, longitudeE7: 74_246_000),
            OSMNode(id: 2, latitudeE7: -1, longitudeE7: 74_246_000),
        ])
    }

    @Test("Missing files and unknown formats")
    func files() throws {
        let missing = Monaco.directory.appendingPathComponent("does-not-exist.osm.pbf")
        #expect(throws: OSMError.self) { try RoadGraph.load(contentsOf: missing) }
        do {
            _ = try OSMExtract.read(contentsOf: missing)
            Issue.record("read a missing file")
        } catch {
            #expect(error.kind == .unreadable)
        }
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("fleetgeo-\(UUID().uuidString).bin")
        try Data([1, 2, 3, 4, 5, 6]).write(to: junk)
        defer { try? FileManager.default.removeItem(at: junk) }
        do {
            _ = try OSMExtract.read(contentsOf: junk)
            Issue.record("read junk")
        } catch {
            #expect(error.kind == .unknownFormat)
        }
        #expect(OSMFileFormat.detect(Data(Self.pbf.prefix(16))) == .pbf)
        #expect(OSMFileFormat.detect(Data("\n  <?xml".utf8)) == .xml)
    }
}
