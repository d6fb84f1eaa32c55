extension TelemetryCommit: WireMessage, WireCodable {
    /// ``MessageKind/telemetryCommit``.
    public static var kind: MessageKind { .telemetryCommit }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("vehicle_id", vehicleID.rawValue)
        writer.field("seq", sequence)
        writer.field("committed_at_ms", committedAtMillis)
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        self.init(
            vehicleID: try fields.vehicleID("vehicle_id"),
            sequence: try fields.uint64("seq"),
            committedAtMillis: try fields.int64("committed_at_ms"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.string(vehicleID.rawValue)
        writer.varint(sequence)
        writer.timestamp(committedAtMillis)
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        self.init(
            vehicleID: try reader.vehicleID("vehicle_id"),
            sequence: try reader.varint("seq"),
            committedAtMillis: try reader.timestamp("committed_at_ms"))
    }
}
