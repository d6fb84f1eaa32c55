/// JSON: `{"v":1, "published_at_ms": ts, "positions": [{"vehicle_id", "seq", "device_time_ms", "lat", "lon",
/// "speed_mps", "heading_deg", "status"}, …]}`.
/// Binary: published_at_ms `ts`, positions `varint` count (1…200), then per entry vehicle_id `str`, seq `varint`,
/// device_time_ms `ts`, lat `coord`, lon `coord`, speed_mps `f32`, heading_deg `heading`, status `enum`.
extension PositionBatch: WireMessage, WireCodable {
    /// ``MessageKind/positionBatch``.
    public static var kind: MessageKind { .positionBatch }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.versionField()
        writer.field("published_at_ms", publishedAtMillis)
        writer.beginArray("positions")
        for entry in positions {
            writer.beginObject()
            writer.field("vehicle_id", entry.vehicleID.rawValue)
            writer.field("seq", entry.sequence)
            writer.field("device_time_ms", entry.deviceTimeMillis)
            writer.field("lat", entry.latitude)
            writer.field("lon", entry.longitude)
            writer.field("speed_mps", entry.speedMetersPerSecond)
            writer.field("heading_deg", entry.headingDegrees)
            writer.field("status", entry.status.rawValue)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    init(json fields: JSONFields) throws(WireError) {
        let elements = try fields.objectArray("positions", maxCount: FleetLimits.positionBatchEntries.upperBound)
        var positions: [Entry] = []
        positions.reserveCapacity(elements.count)
        for element in elements {
            positions.append(
                Entry(
                    vehicleID: try element.vehicleID("vehicle_id"), sequence: try element.uint64("seq"),
                    deviceTimeMillis: try element.int64("device_time_ms"), latitude: try element.double("lat"),
                    longitude: try element.double("lon"), speedMetersPerSecond: try element.double("speed_mps"),
                    headingDegrees: try element.double("heading_deg"), status: try element.enumeration("status", VehicleStatus.self)))
        }
        self.init(publishedAtMillis: try fields.int64("published_at_ms"), positions: positions)
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.timestamp(publishedAtMillis)
        writer.varint(UInt64(positions.count))
        for entry in positions {
            writer.string(entry.vehicleID.rawValue)
            writer.varint(entry.sequence)
            writer.timestamp(entry.deviceTimeMillis)
            writer.coordinate(entry.latitude)
            writer.coordinate(entry.longitude)
            writer.f32(entry.speedMetersPerSecond)
            writer.heading(entry.headingDegrees)
            writer.u8(entry.status.wireCode)
        }
    }

    init(binary reader: inout BinaryReader) throws(WireError) {
        let published = try reader.timestamp("published_at_ms")
        let count = try reader.count("positions", max: FleetLimits.positionBatchEntries.upperBound)
        var positions: [Entry] = []
        positions.reserveCapacity(count)
        for index in 0..<count {
            let path = "positions[\(index)]."
            positions.append(
                Entry(
                    vehicleID: try reader.vehicleID(path + "vehicle_id"), sequence: try reader.varint(path + "seq"),
                    deviceTimeMillis: try reader.timestamp(path + "device_time_ms"), latitude: try reader.coordinate(path + "lat"),
                    longitude: try reader.coordinate(path + "lon"), speedMetersPerSecond: try reader.f32(path + "speed_mps"),
                    headingDegrees: try reader.heading(path + "heading_deg"),
                    status: try reader.code(path + "status", VehicleStatus.init(wireCode:))))
        }
        self.init(publishedAtMillis: published, positions: positions)
    }
}
