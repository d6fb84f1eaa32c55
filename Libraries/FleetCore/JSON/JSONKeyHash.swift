/// FNV-1a over a key's UTF-8 bytes; message decoding looks members up by literal keys hundreds of
/// thousands of times per second, and comparing hashes is far cheaper than comparing Strings.
enum JSONKeyHash {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    static func of(_ key: StaticString) -> UInt64 {
        of(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    static func of(_ key: String) -> UInt64 {
        var hash = offsetBasis
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// Whether `key` spells exactly the bytes of `literal`.
    static func equal(_ key: String, _ literal: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        let fast = key.utf8.withContiguousStorageIfAvailable { actual -> Bool in
            guard actual.count == expected.count else { return false }
            for index in 0..<actual.count where actual[index] != expected[index] { return false }
            return true
        }
        return fast ?? key.utf8.elementsEqual(expected)
    }
}
