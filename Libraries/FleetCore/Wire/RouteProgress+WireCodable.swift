/// The `route` block of ``Telemetry`` in both encodings (validation happens in the caller).
///
/// JSON: `{"route_id": str, "completed_stops": int, "next_stop_id": str?}`.
/// Binary: presence `u8` (bit 0 `next_stop_id`), route_id `str` ≤ 64, completed_stops `varint` (≤ 200),
/// [next_stop_id `str` ≤ 64].
extension RouteProgress {
    private enum Presence {
        static let nextStop: UInt8 = 1 << 0
        static let all: UInt8 = 0b1
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject("route")
        writer.field("route_id", routeID)
        writer.field("completed_stops", Int64(completedStops))
        writer.optionalField("next_stop_id", nextStopID)
        writer.endObject()
    }

    /// Reads the `route` object (`fields` is that object).
    init(json fields: JSONFields) throws(WireError) {
        let routeID = try fields.string("route_id")
        let completed = try fields.int64("completed_stops")
        guard let count = Int(exactly: completed) else {
            throw WireError(.invalidValue, field: fields.fieldPath("completed_stops"), reason: "must be an integer within the Int range")
        }
        self.init(routeID: routeID, completedStops: count, nextStopID: try fields.optionalString("next_stop_id"))
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.u8(nextStopID != nil ? Presence.nextStop : 0)
        writer.string(routeID)
        writer.varint(UInt64(completedStops))
        if let nextStopID { writer.string(nextStopID) }
    }

    /// Reads the block; field paths start with `route.`.
    init(binary reader: inout BinaryReader) throws(WireError) {
        let idBytes = FleetLimits.routeIdentifierLength.upperBound
        let presence = try reader.presence(allowed: Presence.all)
        let routeID = try reader.string("route.route_id", maxBytes: idBytes)
        let completed = try reader.bounded("route.completed_stops", max: UInt64(FleetLimits.routeStops.upperBound))
        let next = try presence & Presence.nextStop != 0 ? reader.string("route.next_stop_id", maxBytes: idBytes) : nil
        self.init(routeID: routeID, completedStops: Int(completed), nextStopID: next)
    }
}
