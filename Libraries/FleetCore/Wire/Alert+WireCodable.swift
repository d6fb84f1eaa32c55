extension Alert: WireMessage, WireCodable {
    /// ``MessageKind/alert``.
    public static var kind: MessageKind { .alert }

    private enum Presence {
        static let vehicle: UInt8 = 1 << 0
        static let acknowledgedAt: UInt8 = 1 << 1
        static let resolvedAt: UInt8 = 1 << 2
        static let all: UInt8 = 0b111
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("id", id.rawValue)
        writer.field("rule_id", ruleID.rawValue)
        writer.field("dedup_key", dedupKey)
        writer.field("status", status.rawValue)
        writer.field("severity", severity.rawValue)
        writer.optionalField("vehicle_id", vehicleID?.rawValue)
        writer.field("summary", summary)
        writer.field("fired_at_ms", firedAtMillis)
        writer.field("updated_at_ms", updatedAtMillis)
        writer.optionalField("acknowledged_at_ms", acknowledgedAtMillis)
        writer.optionalField("resolved_at_ms", resolvedAtMillis)
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        self.init(
            id: try fields.messageID("id"),
            ruleID: try fields.messageID("rule_id"),
            dedupKey: try fields.string("dedup_key"),
            status: try fields.enumeration("status", AlertStatus.self),
            severity: try fields.enumeration("severity", Severity.self),
            vehicleID: try fields.optionalVehicleID("vehicle_id"),
            summary: try fields.string("summary"),
            firedAtMillis: try fields.int64("fired_at_ms"),
            updatedAtMillis: try fields.int64("updated_at_ms"),
            acknowledgedAtMillis: try fields.optionalInt64("acknowledged_at_ms"),
            resolvedAtMillis: try fields.optionalInt64("resolved_at_ms"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        var presence: UInt8 = 0
        if vehicleID != nil { presence |= Presence.vehicle }
        if acknowledgedAtMillis != nil { presence |= Presence.acknowledgedAt }
        if resolvedAtMillis != nil { presence |= Presence.resolvedAt }
        writer.u8(presence)
        writer.string(id.rawValue)
        writer.string(ruleID.rawValue)
        writer.string(dedupKey)
        writer.u8(status.wireCode)
        writer.u8(severity.wireCode)
        if let vehicleID { writer.string(vehicleID.rawValue) }
        writer.string(summary)
        writer.timestamp(firedAtMillis)
        writer.timestamp(updatedAtMillis)
        if let acknowledgedAtMillis { writer.timestamp(acknowledgedAtMillis) }
        if let resolvedAtMillis { writer.timestamp(resolvedAtMillis) }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let id = try reader.messageID("id")
        let ruleID = try reader.messageID("rule_id")
        let dedupKey = try reader.string("dedup_key", maxBytes: 4 * FleetLimits.maxDedupKeyLength)
        let status = try reader.code("status", AlertStatus.init(wireCode:))
        let severity = try reader.code("severity", Severity.init(wireCode:))
        let vehicleID = try presence & Presence.vehicle != 0 ? reader.vehicleID("vehicle_id") : nil
        let summary = try reader.string("summary", maxBytes: 4 * FleetLimits.maxSummaryLength)
        let fired = try reader.timestamp("fired_at_ms")
        let updated = try reader.timestamp("updated_at_ms")
        let acknowledged = try presence & Presence.acknowledgedAt != 0 ? reader.timestamp("acknowledged_at_ms") : nil
        let resolved = try presence & Presence.resolvedAt != 0 ? reader.timestamp("resolved_at_ms") : nil
        self.init(
            id: id, ruleID: ruleID, dedupKey: dedupKey, status: status, severity: severity, vehicleID: vehicleID,
            summary: summary, firedAtMillis: fired, updatedAtMillis: updated, acknowledgedAtMillis: acknowledged,
            resolvedAtMillis: resolved)
    }
}
