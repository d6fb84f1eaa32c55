import CZlib

/// One-shot zlib decompression of PBF blobs.
enum ZlibInflater {
    /// Inflates `source` (a complete zlib stream) into exactly `expectedSize` bytes.
    static func inflate(_ source: UnsafeRawBufferPointer, expectedSize: Int, location: Int) throws(OSMError) -> [UInt8] {
        guard expectedSize > 0 else {
            throw OSMError(.malformed, reason: "compressed blob declares raw_size \(expectedSize)", location: location)
        }
        guard let base = source.baseAddress, source.count > 0 else {
            throw OSMError(.decompressionFailed, reason: "empty zlib stream", location: location)
        }
        var status: Int32 = Z_OK
        var produced: uLongf = 0
        let output = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, initialized in
            produced = uLongf(expectedSize)
            status = uncompress(
                buffer.baseAddress, &produced, base.assumingMemoryBound(to: Bytef.self), uLong(source.count))
            initialized = status == Z_OK ? Int(produced) : 0
        }
        guard status == Z_OK else {
            let reason =
                switch status {
                case Z_BUF_ERROR: "zlib data inflates to more than the declared raw_size \(expectedSize) or is cut short"
                case Z_DATA_ERROR: "corrupt zlib data"
                case Z_MEM_ERROR: "out of memory while inflating"
                default: "zlib error \(status)"
                }
            throw OSMError(.decompressionFailed, reason: reason, location: location)
        }
        guard output.count == expectedSize else {
            throw OSMError(
                .decompressionFailed, reason: "zlib data inflated to \(output.count) bytes, raw_size says \(expectedSize)",
                location: location)
        }
        return output
    }
}
