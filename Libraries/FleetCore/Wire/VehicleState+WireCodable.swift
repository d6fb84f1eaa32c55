extension VehicleState: WireMessage, WireCodable {
    /// ``MessageKind/vehicleState``.
    public static var kind: MessageKind { .vehicleState }

    private enum Presence {
        static let status: UInt8 = 1 << 0
        static let desired: UInt8 = 1 << 1
        static let connection: UInt8 = 1 << 2
        static let all: UInt8 = 0b111
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("vehicle_id", vehicleID.rawValue)
        writer.field("connectivity", connectivity.rawValue)
        writer.field("last_seen_ms", lastSeenMillis)
        if let status { writer.field("status", status.rawValue) }
        if let connection { writer.field("connection", connection) }
        if let desired {
            writer.beginObject("desired")
            desired.writeJSONBody(to: &writer)
            writer.endObject()
        }
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        let vehicleID = try fields.vehicleID("vehicle_id")
        let desired = try fields.optionalObject("desired")
        self.init(
            vehicleID: vehicleID,
            connectivity: try fields.enumeration("connectivity", Connectivity.self),
            lastSeenMillis: try fields.int64("last_seen_ms"),
            status: try fields.optionalEnumeration("status", VehicleStatus.self),
            desired: try desired.map { (desired) throws(WireError) in try DesiredState(json: desired, vehicleID: vehicleID) },
            connection: try fields.optionalUInt64("connection"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        var presence: UInt8 = 0
        if status != nil { presence |= Presence.status }
        if desired != nil { presence |= Presence.desired }
        if connection != nil { presence |= Presence.connection }
        writer.u8(presence)
        writer.string(vehicleID.rawValue)
        writer.u8(connectivity.wireCode)
        writer.timestamp(lastSeenMillis)
        if let status { writer.u8(status.wireCode) }
        if let desired { desired.writeBinaryBody(to: &writer) }
        if let connection { writer.varint(connection) }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let vehicleID = try reader.vehicleID("vehicle_id")
        let connectivity = try reader.code("connectivity", Connectivity.init(wireCode:))
        let lastSeen = try reader.timestamp("last_seen_ms")
        let status = try presence & Presence.status != 0 ? reader.code("status", VehicleStatus.init(wireCode:)) : nil
        let desired =
            try presence & Presence.desired != 0
            ? DesiredState(binary: &reader, vehicleID: vehicleID, path: "desired.") : nil
        let connection = try presence & Presence.connection != 0 ? reader.varint("connection") : nil
        self.init(
            vehicleID: vehicleID, connectivity: connectivity, lastSeenMillis: lastSeen, status: status, desired: desired,
            connection: connection)
    }
}
