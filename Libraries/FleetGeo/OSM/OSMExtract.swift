/// The part of an OpenStreetMap extract a road network is built from.
///
/// Readers keep every way that has a `highway` tag, in file order, and the nodes those ways reference,
/// sorted by id. Relations and node tags are not kept. Build a ``RoadGraph`` from it with
/// ``RoadGraph/init(extract:profile:)``.
public struct OSMExtract: Hashable, Sendable {
    /// Referenced nodes, sorted by ascending id, ids unique.
    public private(set) var nodes: [OSMNode]
    /// Ways with a `highway` tag, in file order.
    public private(set) var ways: [OSMWay]

    /// Creates an extract; nodes are sorted by id (the last of duplicate ids wins) and those no way
    /// references are dropped.
    public init(nodes: [OSMNode], ways: [OSMWay]) {
        self.ways = ways
        self.nodes = Self.referencedNodes(nodes, ways: ways)
    }

    /// The node with `id`, if present (binary search).
    public func node(id: Int64) -> OSMNode? {
        var low = 0
        var high = nodes.count
        while low < high {
            let mid = (low + high) / 2
            if nodes[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < nodes.count && nodes[low].id == id ? nodes[low] : nil
    }

    private static func referencedNodes(_ nodes: [OSMNode], ways: [OSMWay]) -> [OSMNode] {
        var sorted = nodes
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0.id < $1.id }) {
            // Stable sort keeps file order among duplicates; the last occurrence wins below.
            sorted = sorted.enumerated().sorted { ($0.element.id, $0.offset) < ($1.element.id, $1.offset) }.map(\.element)
        }
        var references = ways.flatMap(\.nodeIDs)
        references.sort()
        var kept: [OSMNode] = []
        kept.reserveCapacity(min(references.count, sorted.count))
        var r = 0
        var n = 0
        while n < sorted.count, r < references.count {
            let id = sorted[n].id
            if n + 1 < sorted.count, sorted[n + 1].id == id {
                n += 1
                continue
            }
            while r < references.count, references[r] < id { r += 1 }
            if r < references.count, references[r] == id { kept.append(sorted[n]) }
            n += 1
        }
        return kept
    }
}
