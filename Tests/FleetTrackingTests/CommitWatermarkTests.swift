import Testing

@testable import FleetTracking

@Suite("Committed-sequence watermark arithmetic")
struct CommitWatermarkTests {
    @Test("In-order sequences move the watermark and leave nothing pending")
    func inOrder() {
        var watermark = CommitWatermark()
        watermark.add(stored: [1, 2, 3])
        #expect(watermark == CommitWatermark(committed: 3, pending: []))
        watermark.add(stored: [4])
        #expect(watermark == CommitWatermark(committed: 4, pending: []))
    }

    @Test("Sequences beyond a gap wait until the gap is filled, in any order and with duplicates")
    func gapFilledLater() {
        var watermark = CommitWatermark(committed: 2)
        watermark.add(stored: [6, 4, 4, 7])
        #expect(watermark == CommitWatermark(committed: 2, pending: [4, 6, 7]))
        watermark.add(stored: [3])
        #expect(watermark == CommitWatermark(committed: 4, pending: [6, 7]))
        watermark.add(stored: [5, 2, 1])
        #expect(watermark == CommitWatermark(committed: 7, pending: []))
    }

    @Test("Replays of committed sequences change nothing")
    func replays() {
        var watermark = CommitWatermark(committed: 10, pending: [12])
        watermark.add(stored: [1, 5, 10])
        #expect(watermark == CommitWatermark(committed: 10, pending: [12]))
    }

    @Test("Skipping a gap jumps to the first pending sequence and over the run after it, keeping a later gap")
    func skipGap() {
        var watermark = CommitWatermark(committed: 3, pending: [6, 7, 9])
        var skipped = watermark.skipGap()
        #expect(skipped)
        #expect(watermark == CommitWatermark(committed: 7, pending: [9], skipped: [4...5]))
        skipped = watermark.skipGap()
        #expect(skipped)
        #expect(watermark == CommitWatermark(committed: 9, pending: [], skipped: [4...5, 8...8]))
        skipped = watermark.skipGap()
        #expect(!skipped)
        #expect(watermark == CommitWatermark(committed: 9, pending: [], skipped: [4...5, 8...8]))
    }

    @Test("Stored means committed and not skipped, or pending; late messages fill skipped ranges once")
    func storedSequences() {
        var watermark = CommitWatermark(committed: 3, pending: [6, 7, 9])
        #expect([1, 2, 3, 6, 7, 9].allSatisfy(watermark.isStored))
        #expect(![4, 5, 8, 10].contains(where: watermark.isStored))
        _ = watermark.skipGap()
        _ = watermark.skipGap()
        #expect(watermark.skipped == [4...5, 8...8])
        #expect(![4, 5, 8, 10].contains(where: watermark.isStored))
        watermark.add(stored: [4])
        #expect(watermark.isStored(4) && !watermark.isStored(5))
        #expect(watermark == CommitWatermark(committed: 9, pending: [], skipped: [5...5, 8...8]))
        watermark.add(stored: [8, 5, 5])
        #expect(watermark == CommitWatermark(committed: 9, pending: [], skipped: []))
        #expect((1...9).allSatisfy(watermark.isStored))
    }

    @Test("A filled sequence in the middle of a skipped range splits it; the flat SQL form round-trips")
    func splitAndFlatForm() {
        var watermark = CommitWatermark(committed: 20, skipped: [3...9, 12...12])
        watermark.add(stored: [6])
        #expect(watermark.skipped == [3...5, 7...9, 12...12])
        #expect(watermark.skippedList == "3,5,7,9,12,12")
        #expect(CommitWatermark.ranges(flat: [3, 5, 7, 9, 12, 12]) == watermark.skipped)
        #expect(CommitWatermark.ranges(flat: [9, 3, 1]) == [])
    }

    @Test("Only the newest skipped ranges are kept")
    func skippedBound() {
        var watermark = CommitWatermark()
        for gap in 0..<Int64(CommitWatermark.maxSkippedRanges + 5) {
            watermark.add(stored: [watermark.committed + 2])
            let moved = watermark.skipGap()
            #expect(moved)
            #expect(watermark.committed == 2 * (gap + 1))
        }
        #expect(watermark.skipped.count == CommitWatermark.maxSkippedRanges)
        #expect(watermark.skipped.first == 11...11)
        #expect(watermark.isStored(1) && !watermark.isStored(11))
    }

    @Test("Random arrival orders of 1…n always end at n with nothing pending, never passing a missing sequence")
    func randomOrders() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let n = Int64.random(in: 1...60, using: &generator)
            var order = Array(1...n)
            order.shuffle(using: &generator)
            var watermark = CommitWatermark()
            var seen = Set<Int64>()
            var rest = order[...]
            while !rest.isEmpty {
                let chunk = rest.prefix(Int.random(in: 1...5, using: &generator))
                rest = rest.dropFirst(chunk.count)
                seen.formUnion(chunk)
                watermark.add(stored: chunk)
                // Everything at or below the watermark was seen; the next one was not.
                #expect((1...max(1, watermark.committed)).allSatisfy { watermark.committed == 0 || seen.contains($0) })
                #expect(!seen.contains(watermark.committed + 1))
                #expect(watermark.pending == seen.filter { $0 > watermark.committed }.sorted())
            }
            #expect(watermark == CommitWatermark(committed: n, pending: []))
        }
    }
}
