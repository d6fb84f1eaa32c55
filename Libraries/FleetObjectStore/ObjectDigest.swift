import Crypto

/// The checksum objects are stored and verified with.
public enum ObjectDigest {
    /// Lower-case hex SHA-256 of `bytes` (what S3's `x-amz-content-sha256` carries, and what manifests record).
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SigV4Signer.hex(SHA256.hash(data: bytes)) }
}
