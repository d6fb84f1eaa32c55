import Foundation

/// Little-endian arrays out of a model blob, at byte offsets a manifest names.
struct BinaryReader: Sendable {
    let data: Data

    struct OutOfBounds: Error, CustomStringConvertible {
        var description: String
    }

    func doubles(at offset: Int, count: Int) throws -> [Double] {
        try check(offset, count, 8)
        return data.withUnsafeBytes { raw in
            (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * $0, as: UInt64.self))) }
        }
    }

    /// float32 values widened to Double (exactly).
    func floats(at offset: Int, count: Int) throws -> [Double] {
        try check(offset, count, 4)
        return data.withUnsafeBytes { raw in
            (0..<count).map {
                Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))))
            }
        }
    }

    func int32s(at offset: Int, count: Int) throws -> [Int] {
        try check(offset, count, 4)
        return data.withUnsafeBytes { raw in
            (0..<count).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: Int32.self))) }
        }
    }

    private func check(_ offset: Int, _ count: Int, _ width: Int) throws {
        guard offset >= 0, count >= 0, offset + count * width <= data.count else {
            throw OutOfBounds(description: "model blob of \(data.count) bytes has no \(count) × \(width) bytes at \(offset)")
        }
    }
}
