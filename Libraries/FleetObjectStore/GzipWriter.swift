import CZlib

/// Writes gzip (RFC 1952) into memory, one or more members one after the other.
///
/// A file of several members is still one valid gzip file (`zcat` reads them all); the archive closes a member per
/// vehicle so that one vehicle's rows can be fetched by byte range and inflated alone.
///
/// Not Sendable: one task writes one file.
public final class GzipWriter {
    private let stream: UnsafeMutablePointer<z_stream>
    private var open = false
    private let level: Int32
    /// Compressed bytes written so far (all members).
    public private(set) var output: [UInt8] = []
    /// Uncompressed bytes taken so far.
    public private(set) var inputCount = 0

    /// `level`: 1 (fastest) … 9 (smallest); 6 is zlib's default.
    public init(level: Int32 = 6) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if open { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes` into the current member (opening one if needed).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try begin()
        inputCount += bytes.count
        try pump(bytes, flush: Z_NO_FLUSH)
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Ends the current member (its trailer holds the CRC-32 and length); the next write opens a new one. Returns the
    /// byte range of the member in ``output``; an empty range when nothing was written since the last member.
    @discardableResult
    public func finishMember() throws -> Range<Int> {
        guard open else { return output.count..<output.count }
        let start = memberStart
        try pump(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        deflateEnd(stream)
        open = false
        return start..<output.count
    }

    /// Hands over the compressed bytes (after ``finishMember()``) and starts empty.
    public func takeOutput() -> [UInt8] {
        defer { output = []; inputCount = 0; memberStart = 0 }
        return output
    }

    private var memberStart = 0

    private func begin() throws {
        guard !open else { return }
        stream.pointee = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw GzipError.zlib(status, "deflateInit2") }
        open = true
        memberStart = output.count
    }

    private func pump(_ input: UnsafeRawBufferPointer, flush: Int32) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let (status, produced) = chunk.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                let status = deflate(stream, flush)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            output.append(contentsOf: chunk[0..<produced])
            if flush == Z_FINISH {
                if status == Z_STREAM_END { break }
                guard status == Z_OK || status == Z_BUF_ERROR else { throw GzipError.zlib(status, "deflate") }
            } else {
                guard status == Z_OK || status == Z_BUF_ERROR else { throw GzipError.zlib(status, "deflate") }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { break }
            }
        }
        stream.pointee.next_in = nil
    }
}

/// A zlib failure, or gzip data that is not.
public enum GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    case zlib(Int32, String)
    case corrupt(String)
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .zlib(let status, let call): "\(call) failed with zlib status \(status)"
        case .corrupt(let detail): "corrupt gzip data: \(detail)"
        case .tooLarge(let limit): "gzip data inflates to more than \(limit) bytes"
        }
    }
}
