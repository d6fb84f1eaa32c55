extension Command: WireMessage, WireCodable {
    /// ``MessageKind/command``.
    public static var kind: MessageKind { .command }

    private enum Presence {
        static let reason: UInt8 = 1 << 0
        static let all: UInt8 = 0b1
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("id", id.rawValue)
        writer.field("vehicle_id", vehicleID.rawValue)
        writer.field("action", action.kind.rawValue)
        if case .setSpeedLimit(let limit) = action { writer.field("speed_limit_mps", limit) }
        if case .followRoute(let route) = action { route.writeJSON(to: &writer) }
        writer.optionalField("reason", reason)
        writer.field("issued_at_ms", issuedAtMillis)
        writer.field("expires_at_ms", expiresAtMillis)
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        let kind = try fields.enumeration("action", CommandAction.Kind.self)
        let action: CommandAction
        switch kind {
        case .pause: action = .pause
        case .resume: action = .resume
        case .returnToBase: action = .returnToBase
        case .clearSpeedLimit: action = .clearSpeedLimit
        case .setSpeedLimit: action = .setSpeedLimit(metersPerSecond: try fields.double("speed_limit_mps"))
        case .followRoute: action = .followRoute(try RouteInstruction(json: try fields.object("route")))
        }
        if kind != .setSpeedLimit && fields.value("speed_limit_mps") != nil {
            throw WireError(
                .invalidValue, field: "speed_limit_mps", reason: "only allowed when action is \(CommandAction.Kind.setSpeedLimit.rawValue)")
        }
        if kind != .followRoute && fields.value("route") != nil {
            throw WireError(.invalidValue, field: "route", reason: "only allowed when action is \(CommandAction.Kind.followRoute.rawValue)")
        }
        self.init(
            id: try fields.messageID("id"),
            vehicleID: try fields.vehicleID("vehicle_id"),
            action: action,
            reason: try fields.optionalString("reason"),
            issuedAtMillis: try fields.int64("issued_at_ms"),
            expiresAtMillis: try fields.int64("expires_at_ms"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.u8(reason != nil ? Presence.reason : 0)
        writer.string(id.rawValue)
        writer.string(vehicleID.rawValue)
        writer.u8(action.kind.wireCode)
        if case .setSpeedLimit(let limit) = action { writer.f32(limit) }
        if case .followRoute(let route) = action { route.writeBinary(to: &writer) }
        if let reason { writer.string(reason) }
        writer.timestamp(issuedAtMillis)
        writer.timestamp(expiresAtMillis)
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let presence = try reader.presence(allowed: Presence.all)
        let id = try reader.messageID("id")
        let vehicleID = try reader.vehicleID("vehicle_id")
        let action: CommandAction
        switch try reader.code("action", CommandAction.Kind.init(wireCode:)) {
        case .pause: action = .pause
        case .resume: action = .resume
        case .returnToBase: action = .returnToBase
        case .clearSpeedLimit: action = .clearSpeedLimit
        case .setSpeedLimit: action = .setSpeedLimit(metersPerSecond: try reader.f32("speed_limit_mps"))
        case .followRoute: action = .followRoute(try RouteInstruction(binary: &reader))
        }
        let reason =
            try presence & Presence.reason != 0
            ? reader.string("reason", maxBytes: 4 * FleetLimits.maxReasonLength) : nil
        self.init(
            id: id, vehicleID: vehicleID, action: action, reason: reason,
            issuedAtMillis: try reader.timestamp("issued_at_ms"),
            expiresAtMillis: try reader.timestamp("expires_at_ms"))
    }
}
