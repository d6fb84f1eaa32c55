import Testing

@testable import FleetTracking

@Suite("Vehicle shards")
struct VehicleShardTests {
    @Test("A vehicle's shard is stable and in range; every shard gets some of many vehicles")
    func index() {
        let vehicles = (0..<1_000).map { "veh-\($0)" }
        let shards = vehicles.map { VehicleShard.index(of: $0, count: 4) }
        #expect(shards.allSatisfy { (0..<4).contains($0) })
        #expect(vehicles.map { VehicleShard.index(of: $0, count: 4) } == shards)
        #expect(Set(shards).count == 4)
        #expect(VehicleShard.index(of: "veh-1", count: 0) == 0)
    }

    @Test("Stream messages: each item once, in its vehicle's shard, runs of at most the size, in shard order")
    func messages() {
        let vehicles = (0..<1_234).map { "veh-\($0)" }
        let messages = VehicleShard.messages(vehicles, shards: 4, size: 100, vehicle: { $0 })
        #expect(messages.flatMap(\.items).sorted() == vehicles.sorted())
        for (shard, items) in messages {
            #expect(!items.isEmpty && items.count <= 100)
            #expect(items.allSatisfy { VehicleShard.index(of: $0, count: 4) == shard })
        }
        #expect(messages.map(\.shard) == messages.map(\.shard).sorted())
        // Only the last run of a shard may be short.
        let perShard = Dictionary(grouping: messages, by: \.shard)
        for runs in perShard.values {
            #expect(runs.dropLast().allSatisfy { $0.items.count == 100 })
        }
        #expect(VehicleShard.messages([String](), shards: 4, size: 100, vehicle: { $0 }).isEmpty)
    }
}
