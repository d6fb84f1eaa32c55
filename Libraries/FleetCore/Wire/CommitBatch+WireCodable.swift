/// JSON: `{"v":1, "committed_at_ms": ts, "commits": [{"vehicle_id", "seq"}, …]}`.
/// Binary: committed_at_ms `ts`, commits `varint` count (1…500), then per entry vehicle_id `str`, seq `varint`.
extension CommitBatch: WireMessage, WireCodable {
    /// ``MessageKind/commitBatch``.
    public static var kind: MessageKind { .commitBatch }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("committed_at_ms", committedAtMillis)
        writer.beginArray("commits")
        for entry in commits {
            writer.beginObject()
            writer.field("vehicle_id", entry.vehicleID.rawValue)
            writer.field("seq", entry.sequence)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        let elements = try fields.objectArray("commits", maxCount: FleetLimits.commitBatchEntries.upperBound)
        var commits: [Entry] = []
        commits.reserveCapacity(elements.count)
        for element in elements {
            commits.append(Entry(vehicleID: try element.vehicleID("vehicle_id"), sequence: try element.uint64("seq")))
        }
        self.init(committedAtMillis: try fields.int64("committed_at_ms"), commits: commits)
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.timestamp(committedAtMillis)
        writer.varint(UInt64(commits.count))
        for entry in commits {
            writer.string(entry.vehicleID.rawValue)
            writer.varint(entry.sequence)
        }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let committed = try reader.timestamp("committed_at_ms")
        let count = try reader.count("commits", max: FleetLimits.commitBatchEntries.upperBound)
        var commits: [Entry] = []
        commits.reserveCapacity(count)
        for index in 0..<count {
            let path = "commits[\(index)]."
            commits.append(Entry(vehicleID: try reader.vehicleID(path + "vehicle_id"), sequence: try reader.varint(path + "seq")))
        }
        self.init(committedAtMillis: committed, commits: commits)
    }
}
