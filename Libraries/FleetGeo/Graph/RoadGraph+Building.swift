extension RoadGraph {
    /// Builds the drivable graph of `extract` under `profile`.
    ///
    /// Deterministic: the same extract always yields the same node and edge numbering (nodes in OSM id order,
    /// edges grouped by source in way order).
    public init(extract: OSMExtract, profile: DrivingProfile = .car) {
        let osmNodes = extract.nodes
        var pieces: [(way: Int64, name: Int32, traversal: WayTraversal, nodes: [Int32])] = []
        // Road names (`name`, else `ref`), deduplicated.
        var names: [String] = []
        var nameIndex: [String: Int32] = [:]
        var uses = [UInt8](repeating: 0, count: osmNodes.count)
        var isEndpoint = [Bool](repeating: false, count: osmNodes.count)

        // Resolve each drivable way into runs of present nodes (missing references cut the way).
        for way in extract.ways {
            guard let traversal = profile.traversal(for: way.tags), traversal.forward || traversal.backward else {
                continue
            }
            var name: Int32 = -1
            if let label = way.tags["name"] ?? way.tags["ref"], !label.isEmpty {
                if let known = nameIndex[label] {
                    name = known
                } else {
                    name = Int32(names.count)
                    nameIndex[label] = name
                    names.append(label)
                }
            }
            var run: [Int32] = []
            func flush() {
                if run.count >= 2 {
                    isEndpoint[Int(run[0])] = true
                    isEndpoint[Int(run[run.count - 1])] = true
                    for node in run where uses[Int(node)] < 2 { uses[Int(node)] += 1 }
                    pieces.append((way.id, name, traversal, run))
                }
                run = []
            }
            for id in way.nodeIDs {
                guard let index = Self.index(of: id, in: osmNodes) else {
                    flush()
                    continue
                }
                if run.last != Int32(index) { run.append(Int32(index)) }
            }
            flush()
        }

        // Graph nodes, numbered in OSM id order.
        var graphNode = [Int32](repeating: -1, count: osmNodes.count)
        var coordinates: [GeoCoordinate] = []
        var osmIDs: [Int64] = []
        for index in osmNodes.indices where isEndpoint[index] || uses[index] >= 2 {
            graphNode[index] = Int32(coordinates.count)
            coordinates.append(osmNodes[index].coordinate)
            osmIDs.append(osmNodes[index].id)
        }

        // Cut pieces at graph nodes into directed edges (unsorted).
        var draft = EdgeDraft()
        for piece in pieces {
            var start = 0
            for position in 1..<piece.nodes.count where graphNode[Int(piece.nodes[position])] >= 0 {
                let points = piece.nodes[start...position].map { osmNodes[Int($0)].coordinate }
                let from = graphNode[Int(piece.nodes[start])]
                let to = graphNode[Int(piece.nodes[position])]
                draft.add(
                    from: from, to: to, points: points, way: piece.way, name: piece.name, traversal: piece.traversal)
                start = position
            }
        }
        self.init(nodeCoordinates: coordinates, nodeOSMIDs: osmIDs, roadNames: names, draft: draft)
    }

    private init(nodeCoordinates: [GeoCoordinate], nodeOSMIDs: [Int64], roadNames: [String], draft: EdgeDraft) {
        // Counting sort by source (stable), then remap reverse-edge links.
        var start = [Int32](repeating: 0, count: nodeCoordinates.count + 1)
        for source in draft.sources { start[Int(source) + 1] += 1 }
        for node in 0..<nodeCoordinates.count { start[node + 1] += start[node] }
        var next = start
        var finalIndex = [Int32](repeating: 0, count: draft.sources.count)
        for (edge, source) in draft.sources.enumerated() {
            finalIndex[edge] = next[Int(source)]
            next[Int(source)] += 1
        }
        var order = [Int](repeating: 0, count: draft.sources.count)
        for edge in draft.sources.indices { order[Int(finalIndex[edge])] = edge }

        var geometryStart: [Int32] = [0]
        geometryStart.reserveCapacity(order.count + 1)
        var points: [GeoCoordinate] = []
        points.reserveCapacity(draft.points.count)
        for edge in order {
            points.append(contentsOf: draft.points[Int(draft.pointStart[edge])..<Int(draft.pointStart[edge + 1])])
            geometryStart.append(Int32(points.count))
        }

        self.nodeCoordinates = nodeCoordinates
        self.nodeOSMIDs = nodeOSMIDs
        nodeEdgeStart = start
        edgeSources = order.map { draft.sources[$0] }
        edgeTargets = order.map { draft.targets[$0] }
        edgeLengths = order.map { draft.lengths[$0] }
        edgeSpeeds = order.map { draft.speeds[$0] }
        edgeTravelTimes = order.map { draft.lengths[$0] / draft.speeds[$0] }
        edgeWayIDs = order.map { draft.ways[$0] }
        edgeNames = order.map { draft.names[$0] }
        self.roadNames = roadNames
        edgeReverses = order.map { draft.reverses[$0] < 0 ? -1 : finalIndex[Int(draft.reverses[$0])] }
        edgeGeometryStart = geometryStart
        geometryPoints = points
        maximumSpeed = draft.speeds.max() ?? 1
    }

    /// Index of the OSM node `id` in the id-sorted `nodes`, by binary search.
    private static func index(of id: Int64, in nodes: [OSMNode]) -> Int? {
        var low = 0
        var high = nodes.count
        while low < high {
            let mid = (low + high) / 2
            if nodes[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < nodes.count && nodes[low].id == id ? low : nil
    }
}
