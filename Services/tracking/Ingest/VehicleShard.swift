/// Which of `count` shards a vehicle belongs to: the writers of the ingest path, the topics of the position and commit
/// streams.
enum VehicleShard {
    /// FNV-1a of the vehicle id modulo `count` (stable, unlike `hashValue`, for reproducible tests and topics).
    static func index(of vehicle: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in vehicle.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(max(1, count)))
    }

    /// `items` by shard (of the vehicle `vehicle` names), each shard's in runs of at most `size`: the messages of a
    /// sharded stream, in shard order.
    static func messages<Item>(
        _ items: some Sequence<Item>, shards: Int, size: Int, vehicle: (Item) -> String
    ) -> [(shard: Int, items: [Item])] {
        var byShard = Array(repeating: [Item](), count: max(1, shards))
        for item in items {
            byShard[index(of: vehicle(item), count: byShard.count)].append(item)
        }
        return byShard.enumerated().flatMap { shard, all in
            stride(from: 0, to: all.count, by: size).map { (shard, Array(all[$0..<min($0 + size, all.count)])) }
        }
    }
}
