import Foundation

/// Reads OpenStreetMap PBF files (`.osm.pbf`), the format operators download from extract services.
///
/// Implements the format directly: `BlobHeader`/`Blob` framing (4-byte big-endian header length),
/// raw or zlib-compressed blobs, the `OSMHeader` block's required features, and `PrimitiveBlock`s with their
/// string table, granularity and lat/lon offsets, plain and `DenseNodes` nodes (delta-coded) and ways
/// (delta-coded refs). Relations, metadata and node tags are skipped. Keeps what ``OSMExtract`` documents.
public enum OSMPBFReader {
    /// Largest `BlobHeader` the specification allows.
    public static let maximumHeaderSize = 64 * 1024
    /// Largest blob (compressed or not) the specification allows.
    public static let maximumBlobSize = 32 * 1024 * 1024

    private static let supportedFeatures: Set<String> = ["OsmSchema-V0.6", "DenseNodes"]

    /// Reads the file at `url` (memory-mapped when possible).
    public static func read(contentsOf url: URL) throws(OSMError) -> OSMExtract {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw OSMError(.unreadable, reason: "cannot read \(url.path): \(error.localizedDescription)")
        }
        return try read(data: data)
    }

    /// Reads a complete PBF file held in memory.
    public static func read(data: Data) throws(OSMError) -> OSMExtract {
        var collector = Collector()
        try withRawBytes(of: data) { bytes throws(OSMError) in
            try readFile(bytes, into: &collector)
        }
        return OSMExtract(nodes: collector.nodes, ways: collector.ways)
    }

    /// What the blocks hold, accumulated in file order.
    private struct Collector {
        var nodes: [OSMNode] = []
        var ways: [OSMWay] = []
    }

    // MARK: Framing

    private static func readFile(_ bytes: UnsafeRawBufferPointer, into collector: inout Collector) throws(OSMError) {
        guard !bytes.isEmpty else { throw OSMError(.truncated, reason: "empty file", location: 0) }
        var offset = 0
        var sawHeader = false
        while offset < bytes.count {
            let frameStart = offset
            guard bytes.count - offset >= 4 else {
                throw OSMError(.truncated, reason: "file ends inside a BlobHeader length", location: offset)
            }
            let headerLength = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard headerLength <= maximumHeaderSize else {
                throw OSMError(.tooLarge, reason: "BlobHeader of \(headerLength) bytes (limit 64 KiB)", location: frameStart)
            }
            guard bytes.count - offset >= headerLength else {
                throw OSMError(.truncated, reason: "file ends inside a BlobHeader", location: offset)
            }
            let (type, dataSize) = try blobHeader(
                ProtobufReader(bytes: bytes, range: offset..<offset + headerLength))
            offset += headerLength
            guard dataSize >= 0, dataSize <= maximumBlobSize else {
                throw OSMError(.tooLarge, reason: "blob of \(dataSize) bytes (limit 32 MiB)", location: frameStart)
            }
            guard bytes.count - offset >= dataSize else {
                throw OSMError(
                    .truncated, reason: "file ends inside a \(type) blob (\(bytes.count - offset) of \(dataSize) bytes)",
                    location: offset)
            }
            let blobRange = offset..<offset + dataSize
            offset += dataSize
            if !sawHeader, type != "OSMHeader" {
                throw OSMError(.malformed, reason: "first blob is \"\(type)\", expected OSMHeader", location: frameStart)
            }
            switch type {
            case "OSMHeader":
                try withBlobPayload(bytes, blobRange) { payload throws(OSMError) in
                    try headerBlock(payload)
                }
                sawHeader = true
            case "OSMData":
                try withBlobPayload(bytes, blobRange) { payload throws(OSMError) in
                    try primitiveBlock(payload, into: &collector)
                }
            default:
                continue  // Unknown blob types are skipped, as the specification asks.
            }
        }
    }

    private static func blobHeader(_ reader: ProtobufReader) throws(OSMError) -> (type: String, dataSize: Int) {
        var reader = reader
        var type: String?
        var dataSize: Int64?
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try expect(field, .lengthDelimited, in: reader)
                type = reader.string(try reader.lengthDelimited())
            case 3:
                try expect(field, .varint, in: reader)
                dataSize = try reader.int64()
            default:
                try reader.skip(field.wireType)
            }
        }
        guard let type, let dataSize else {
            throw OSMError(.malformed, reason: "BlobHeader lacks type or datasize", location: reader.index)
        }
        return (type, Int(clamping: dataSize))
    }

    /// Calls `body` with the blob's uncompressed bytes (a view of the file for raw blobs, inflated for zlib).
    private static func withBlobPayload(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>,
        _ body: (UnsafeRawBufferPointer) throws(OSMError) -> Void
    ) throws(OSMError) {
        var reader = ProtobufReader(bytes: bytes, range: range)
        var raw: Range<Int>?
        var zlib: Range<Int>?
        var rawSize: Int64?
        var otherCompression: String?
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try expect(field, .lengthDelimited, in: reader)
                raw = try reader.lengthDelimited()
            case 2:
                try expect(field, .varint, in: reader)
                rawSize = try reader.int64()
            case 3:
                try expect(field, .lengthDelimited, in: reader)
                zlib = try reader.lengthDelimited()
            case 4, 5, 6, 7:
                otherCompression = [4: "LZMA", 5: "bzip2", 6: "LZ4", 7: "zstd"][field.number]
                try reader.skip(field.wireType)
            default:
                try reader.skip(field.wireType)
            }
        }
        if let raw {
            try body(UnsafeRawBufferPointer(rebasing: bytes[raw]))
        } else if let zlib {
            guard let rawSize, rawSize > 0, rawSize <= maximumBlobSize else {
                throw OSMError(.malformed, reason: "zlib blob without a valid raw_size", location: range.lowerBound)
            }
            let inflated = try ZlibInflater.inflate(
                UnsafeRawBufferPointer(rebasing: bytes[zlib]), expectedSize: Int(rawSize), location: zlib.lowerBound)
            try withRawBytes(of: inflated, body)
        } else if let otherCompression {
            throw OSMError(.unsupported, reason: "\(otherCompression)-compressed blob", location: range.lowerBound)
        } else {
            throw OSMError(.malformed, reason: "blob has no data", location: range.lowerBound)
        }
    }

    // MARK: Blocks

    private static func headerBlock(_ payload: UnsafeRawBufferPointer) throws(OSMError) {
        var reader = ProtobufReader(bytes: payload)
        while let field = try reader.nextField() {
            if field.number == 4 {
                try expect(field, .lengthDelimited, in: reader)
                let feature = reader.string(try reader.lengthDelimited())
                guard supportedFeatures.contains(feature) else {
                    throw OSMError(.unsupported, reason: "required feature \"\(feature)\"")
                }
            } else {
                try reader.skip(field.wireType)
            }
        }
    }

    /// Per-block decoding state: string table and coordinate transform.
    private struct BlockContext {
        var strings: [Range<Int>] = []
        var highwayString: Int?
        var granularity: Int64 = 100
        var latitudeOffset: Int64 = 0
        var longitudeOffset: Int64 = 0
    }

    private static func primitiveBlock(_ payload: UnsafeRawBufferPointer, into collector: inout Collector) throws(OSMError) {
        var reader = ProtobufReader(bytes: payload)
        var context = BlockContext()
        var groups: [Range<Int>] = []
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try expect(field, .lengthDelimited, in: reader)
                var table = reader.reader(for: try reader.lengthDelimited())
                while let entry = try table.nextField() {
                    guard entry.number == 1 else {
                        try table.skip(entry.wireType)
                        continue
                    }
                    try expect(entry, .lengthDelimited, in: table)
                    let range = try table.lengthDelimited()
                    if context.highwayString == nil, table.bytes(range, equal: "highway") {
                        context.highwayString = context.strings.count
                    }
                    context.strings.append(range)
                }
            case 2:
                try expect(field, .lengthDelimited, in: reader)
                groups.append(try reader.lengthDelimited())
            case 17:
                try expect(field, .varint, in: reader)
                context.granularity = try reader.int64()
                guard context.granularity > 0 else {
                    throw OSMError(.malformed, reason: "granularity \(context.granularity)", location: reader.index)
                }
            case 19:
                try expect(field, .varint, in: reader)
                context.latitudeOffset = try reader.int64()
            case 20:
                try expect(field, .varint, in: reader)
                context.longitudeOffset = try reader.int64()
            default:
                try reader.skip(field.wireType)
            }
        }
        for group in groups {
            var groupReader = reader.reader(for: group)
            while let field = try groupReader.nextField() {
                switch field.number {
                case 1:
                    try expect(field, .lengthDelimited, in: groupReader)
                    collector.nodes.append(try node(groupReader.reader(for: try groupReader.lengthDelimited()), context))
                case 2:
                    try expect(field, .lengthDelimited, in: groupReader)
                    try denseNodes(groupReader.reader(for: try groupReader.lengthDelimited()), context, into: &collector)
                case 3:
                    try expect(field, .lengthDelimited, in: groupReader)
                    if let way = try way(groupReader.reader(for: try groupReader.lengthDelimited()), context) {
                        collector.ways.append(way)
                    }
                default:
                    try groupReader.skip(field.wireType)
                }
            }
        }
    }

    private static func node(_ reader: ProtobufReader, _ context: BlockContext) throws(OSMError) -> OSMNode {
        var reader = reader
        var id: Int64?
        var latitude: Int64?
        var longitude: Int64?
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try expect(field, .varint, in: reader)
                id = try reader.signedVarint()
            case 8:
                try expect(field, .varint, in: reader)
                latitude = try reader.signedVarint()
            case 9:
                try expect(field, .varint, in: reader)
                longitude = try reader.signedVarint()
            default:
                try reader.skip(field.wireType)
            }
        }
        guard let id, let latitude, let longitude else {
            throw OSMError(.malformed, reason: "node lacks id, lat or lon", location: reader.index)
        }
        return try makeNode(id: id, latitude: latitude, longitude: longitude, context, at: reader.index)
    }

    private static func denseNodes(
        _ reader: ProtobufReader, _ context: BlockContext, into collector: inout Collector
    ) throws(OSMError) {
        var reader = reader
        var ids: Range<Int>?
        var latitudes: Range<Int>?
        var longitudes: Range<Int>?
        while let field = try reader.nextField() {
            switch field.number {
            case 1, 8, 9:
                try expect(field, .lengthDelimited, in: reader)
                let range = try reader.lengthDelimited()
                if field.number == 1 { ids = range } else if field.number == 8 { latitudes = range } else { longitudes = range }
            default:
                try reader.skip(field.wireType)
            }
        }
        guard let ids else { return }
        guard let latitudes, let longitudes else {
            throw OSMError(.malformed, reason: "DenseNodes without lat/lon arrays", location: reader.index)
        }
        var idReader = reader.reader(for: ids)
        var latitudeReader = reader.reader(for: latitudes)
        var longitudeReader = reader.reader(for: longitudes)
        var id: Int64 = 0
        var latitude: Int64 = 0
        var longitude: Int64 = 0
        while !idReader.isAtEnd {
            guard !latitudeReader.isAtEnd, !longitudeReader.isAtEnd else {
                throw OSMError(.malformed, reason: "DenseNodes arrays differ in length", location: latitudeReader.index)
            }
            id &+= try idReader.signedVarint()
            latitude &+= try latitudeReader.signedVarint()
            longitude &+= try longitudeReader.signedVarint()
            collector.nodes.append(
                try makeNode(id: id, latitude: latitude, longitude: longitude, context, at: idReader.index))
        }
        guard latitudeReader.isAtEnd, longitudeReader.isAtEnd else {
            throw OSMError(.malformed, reason: "DenseNodes arrays differ in length", location: idReader.index)
        }
    }

    private static func way(_ reader: ProtobufReader, _ context: BlockContext) throws(OSMError) -> OSMWay? {
        var reader = reader
        var id: Int64?
        var keys: Range<Int>?
        var values: Range<Int>?
        var refs: Range<Int>?
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try expect(field, .varint, in: reader)
                id = try reader.int64()
            case 2, 3, 8:
                try expect(field, .lengthDelimited, in: reader)
                let range = try reader.lengthDelimited()
                if field.number == 2 { keys = range } else if field.number == 3 { values = range } else { refs = range }
            default:
                try reader.skip(field.wireType)
            }
        }
        guard let id else { throw OSMError(.malformed, reason: "way without id", location: reader.index) }
        guard let highway = context.highwayString, let keys, let values else { return nil }

        var keyReader = reader.reader(for: keys)
        var valueReader = reader.reader(for: values)
        var pairs: [(key: Int, value: Int)] = []
        while !keyReader.isAtEnd {
            guard !valueReader.isAtEnd else {
                throw OSMError(.malformed, reason: "way \(id) has more keys than values", location: valueReader.index)
            }
            let key = try keyReader.varint()
            let value = try valueReader.varint()
            guard key < UInt64(context.strings.count), value < UInt64(context.strings.count) else {
                throw OSMError(.malformed, reason: "way \(id) tag refers past the string table", location: keyReader.index)
            }
            pairs.append((Int(key), Int(value)))
        }
        guard valueReader.isAtEnd else {
            throw OSMError(.malformed, reason: "way \(id) has more values than keys", location: valueReader.index)
        }
        guard pairs.contains(where: { $0.key == highway }) else { return nil }

        var tags: [String: String] = [:]
        for pair in pairs {
            tags[reader.string(context.strings[pair.key])] = reader.string(context.strings[pair.value])
        }
        var nodeIDs: [Int64] = []
        if let refs {
            var refReader = reader.reader(for: refs)
            var ref: Int64 = 0
            while !refReader.isAtEnd {
                ref &+= try refReader.signedVarint()
                nodeIDs.append(ref)
            }
        }
        return OSMWay(id: id, nodeIDs: nodeIDs, tags: tags)
    }

    // MARK: Helpers

    private static func makeNode(
        id: Int64, latitude: Int64, longitude: Int64, _ context: BlockContext, at location: Int
    ) throws(OSMError) -> OSMNode {
        guard let latitudeE7 = fixedPoint(latitude, context.latitudeOffset, context.granularity, limit: 900_000_000),
            let longitudeE7 = fixedPoint(longitude, context.longitudeOffset, context.granularity, limit: 1_800_000_000)
        else {
            throw OSMError(.malformed, reason: "node \(id) has coordinates outside the globe", location: location)
        }
        return OSMNode(id: id, latitudeE7: latitudeE7, longitudeE7: longitudeE7)
    }

    /// `offset + granularity × value` nanodegrees, rounded to 1e-7 degrees; `nil` if out of range.
    private static func fixedPoint(_ value: Int64, _ offset: Int64, _ granularity: Int64, limit: Int64) -> Int32? {
        let (scaled, overflow1) = granularity.multipliedReportingOverflow(by: value)
        let (nano, overflow2) = scaled.addingReportingOverflow(offset)
        guard !overflow1, !overflow2 else { return nil }
        let e7 = (nano >= 0 ? nano + 50 : nano - 50) / 100
        guard abs(e7) <= limit else { return nil }
        return Int32(e7)
    }

    private static func expect(
        _ field: (number: Int, wireType: ProtobufReader.WireType), _ wireType: ProtobufReader.WireType,
        in reader: ProtobufReader
    ) throws(OSMError) {
        guard field.wireType == wireType else {
            throw OSMError(
                .malformed, reason: "field \(field.number) has wire type \(field.wireType), expected \(wireType)",
                location: reader.index)
        }
    }

    /// `withUnsafeBytes` with the closure's typed error preserved.
    private static func withRawBytes(
        of bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(OSMError) -> Void
    ) throws(OSMError) {
        var failure: OSMError?
        bytes.withUnsafeBytes { buffer in
            do throws(OSMError) {
                try body(buffer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
