extension DesiredState: WireMessage, WireCodable {
    /// ``MessageKind/desiredState``.
    public static var kind: MessageKind { .desiredState }

    private enum Presence {
        static let speedLimit: UInt8 = 1 << 0
        static let reason: UInt8 = 1 << 1
        static let all: UInt8 = 0b11
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("vehicle_id", vehicleID.rawValue)
        writeJSONBody(to: &writer)
        writer.endObject()
    }

    /// Members shared with the `desired` object nested in ``VehicleState`` (which omits `vehicle_id`).
    func writeJSONBody(to writer: inout JSONWriter) {
        writer.field("revision", revision)
        writer.field("paused", paused)
        writer.optionalField("speed_limit_mps", speedLimitMetersPerSecond)
        writer.field("updated_at_ms", updatedAtMillis)
        writer.optionalField("reason", reason)
    }

    init(json fields: JSONFields) throws(WireError) {
        try self.init(json: fields, vehicleID: try fields.vehicleID("vehicle_id"))
    }

    init(json fields: JSONFields, vehicleID: VehicleID) throws(WireError) {
        self.init(
            vehicleID: vehicleID,
            revision: try fields.uint64("revision"),
            paused: try fields.bool("paused"),
            speedLimitMetersPerSecond: try fields.optionalDouble("speed_limit_mps"),
            updatedAtMillis: try fields.int64("updated_at_ms"),
            reason: try fields.optionalString("reason"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.string(vehicleID.rawValue)
        writeBinaryBody(to: &writer)
    }

    /// Body shared with the nested form in ``VehicleState``: presence, revision, paused, [limit], updated, [reason].
    func writeBinaryBody(to writer: inout BinaryWriter) {
        var presence: UInt8 = 0
        if speedLimitMetersPerSecond != nil { presence |= Presence.speedLimit }
        if reason != nil { presence |= Presence.reason }
        writer.u8(presence)
        writer.varint(revision)
        writer.bool(paused)
        if let speedLimitMetersPerSecond { writer.f32(speedLimitMetersPerSecond) }
        writer.timestamp(updatedAtMillis)
        if let reason { writer.string(reason) }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let vehicleID = try reader.vehicleID("vehicle_id")
        try self.init(binary: &reader, vehicleID: vehicleID, path: "")
    }

    init(binary reader: inout BinaryReader, vehicleID: VehicleID, path: String) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let revision = try reader.varint(path + "revision")
        let paused = try reader.bool(path + "paused")
        let limit = try presence & Presence.speedLimit != 0 ? reader.f32(path + "speed_limit_mps") : nil
        let updated = try reader.timestamp(path + "updated_at_ms")
        let reason =
            try presence & Presence.reason != 0
            ? reader.string(path + "reason", maxBytes: 4 * FleetLimits.maxReasonLength) : nil
        self.init(
            vehicleID: vehicleID, revision: revision, paused: paused, speedLimitMetersPerSecond: limit,
            updatedAtMillis: updated, reason: reason)
    }
}
