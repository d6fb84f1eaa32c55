import CZlib

/// Inflates gzip data of one or more members (RFC 1952), checking each member's CRC-32 and length.
public enum Gunzip {
    /// The uncompressed bytes of `data`; throws ``GzipError/tooLarge(limit:)`` past `limit` bytes and
    /// ``GzipError/corrupt(_:)`` for data that is not gzip, is cut short or fails its checksum.
    public static func inflate(_ data: [UInt8], limit: Int = 1 << 30) throws -> [UInt8] {
        guard !data.isEmpty else { return [] }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // 15 + 16: gzip only (not raw zlib), so that a non-gzip object is refused.
        let initStatus = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw GzipError.zlib(initStatus, "inflateInit2") }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, data.count * 4))
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        try data.withUnsafeBytes { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                    stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(buffer.count)
                    let status = CZlib.inflate(stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.pointee.avail_out))
                }
                guard output.count + produced <= limit else { throw GzipError.tooLarge(limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another member may follow.
                    guard stream.pointee.avail_in > 0 else { return }
                    let reset = inflateReset(stream)
                    guard reset == Z_OK else { throw GzipError.zlib(reset, "inflateReset") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    throw GzipError.corrupt(
                        stream.pointee.avail_in == 0 ? "the data ends inside a member" : "inflate made no progress")
                case Z_DATA_ERROR:
                    throw GzipError.corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "bad deflate data or checksum")
                default:
                    throw GzipError.zlib(status, "inflate")
                }
            }
        }
        return output
    }
}
