/// Which of `count` shards a vehicle belongs to: the writers of the ingest path, the topics of the position stream.
enum VehicleShard {
    /// FNV-1a of the vehicle id modulo `count` (stable, unlike `hashValue`, for reproducible tests and topics).
    static func index(of vehicle: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in vehicle.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(max(1, count)))
    }
}
