extension FleetEvent: WireMessage, WireCodable {
    /// ``MessageKind/fleetEvent``.
    public static var kind: MessageKind { .fleetEvent }

    private enum Presence {
        static let vehicle: UInt8 = 1 << 0
        static let all: UInt8 = 0b1
    }

    /// Attributes in key order, so encodings are deterministic.
    private var sortedAttributes: [(key: String, value: String)] {
        attributes.sorted { $0.key < $1.key }
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("id", id.rawValue)
        writer.field("type", type.rawValue)
        writer.field("severity", severity.rawValue)
        writer.optionalField("vehicle_id", vehicleID?.rawValue)
        writer.field("time_ms", timeMillis)
        writer.beginObject("attributes")
        for (key, value) in sortedAttributes {
            writer.key(key)
            writer.element(value)
        }
        writer.endObject()
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        self.init(
            id: try fields.messageID("id"),
            type: try fields.enumeration("type", FleetEventType.self),
            severity: try fields.enumeration("severity", Severity.self),
            vehicleID: try fields.optionalVehicleID("vehicle_id"),
            timeMillis: try fields.int64("time_ms"),
            attributes: try fields.stringMap("attributes", maxCount: FleetLimits.maxAttributes))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.u8(vehicleID != nil ? Presence.vehicle : 0)
        writer.string(id.rawValue)
        writer.u8(type.wireCode)
        writer.u8(severity.wireCode)
        if let vehicleID { writer.string(vehicleID.rawValue) }
        writer.timestamp(timeMillis)
        writer.varint(UInt64(attributes.count))
        for (key, value) in sortedAttributes {
            writer.string(key)
            writer.string(value)
        }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let id = try reader.messageID("id")
        let type = try reader.code("type", FleetEventType.init(wireCode:))
        let severity = try reader.code("severity", Severity.init(wireCode:))
        let vehicleID = try presence & Presence.vehicle != 0 ? reader.vehicleID("vehicle_id") : nil
        let time = try reader.timestamp("time_ms")
        let count = try reader.count("attributes", max: FleetLimits.maxAttributes)
        var attributes: [String: String] = [:]
        attributes.reserveCapacity(count)
        for _ in 0..<count {
            let offset = reader.index
            let key = try reader.string("attributes", maxBytes: FleetLimits.attributeKeyLength.upperBound)
            let value = try reader.string("attributes.\(key)", maxBytes: 4 * FleetLimits.maxAttributeValueLength)
            guard attributes.updateValue(value, forKey: key) == nil else {
                throw WireError(.malformed, field: "attributes.\(key)", reason: "duplicate key", offset: offset)
            }
        }
        self.init(id: id, type: type, severity: severity, vehicleID: vehicleID, timeMillis: time, attributes: attributes)
    }
}
