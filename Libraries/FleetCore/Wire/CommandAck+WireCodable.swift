extension CommandAck: WireMessage, WireCodable {
    /// ``MessageKind/commandAck``.
    public static var kind: MessageKind { .commandAck }

    private enum Presence {
        static let reason: UInt8 = 1 << 0
        static let all: UInt8 = 0b1
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("command_id", commandID.rawValue)
        writer.field("vehicle_id", vehicleID.rawValue)
        writer.field("status", status.rawValue)
        writer.optionalField("reason", reason)
        writer.field("at_ms", atMillis)
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        self.init(
            commandID: try fields.messageID("command_id"),
            vehicleID: try fields.vehicleID("vehicle_id"),
            status: try fields.enumeration("status", CommandAckStatus.self),
            reason: try fields.optionalString("reason"),
            atMillis: try fields.int64("at_ms"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.u8(reason != nil ? Presence.reason : 0)
        writer.string(commandID.rawValue)
        writer.string(vehicleID.rawValue)
        writer.u8(status.wireCode)
        if let reason { writer.string(reason) }
        writer.timestamp(atMillis)
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let commandID = try reader.messageID("command_id")
        let vehicleID = try reader.vehicleID("vehicle_id")
        let status = try reader.code("status", CommandAckStatus.init(wireCode:))
        let reason =
            try presence & Presence.reason != 0
            ? reader.string("reason", maxBytes: 4 * FleetLimits.maxReasonLength) : nil
        self.init(
            commandID: commandID, vehicleID: vehicleID, status: status, reason: reason,
            atMillis: try reader.timestamp("at_ms"))
    }
}
