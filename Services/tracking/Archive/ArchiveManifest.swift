/// The table of contents of one archived day, written last (`…/day=YYYY-MM-DD/manifest.json`): an archive without it is
/// incomplete and never read. Byte-stable JSON (sorted keys).
struct ArchiveManifest: Sendable, Codable, Equatable {
    /// Format version of manifest and rows.
    var version = 1
    var table = "telemetry"
    /// `YYYY-MM-DD` (UTC).
    var day: String
    var dayStartMillis: Int64
    /// How the parts are written.
    var format = "ndjson+gzip: one JSON object per line, one gzip member per vehicle, rows ordered by vehicle, device time, seq"
    var rows: Int
    var bytes: Int
    var createdMillis: Int64
    var parts: [ArchivePart]

    enum CodingKeys: String, CodingKey {
        case version, table, day
        case dayStartMillis = "day_start_ms"
        case format, rows, bytes
        case createdMillis = "created_ms"
        case parts
    }

    /// The part and byte range holding `vehicleID`'s rows, if the day has any.
    func span(of vehicleID: String) -> (part: ArchivePart, span: ArchiveVehicleSpan)? {
        for part in parts where part.firstVehicle <= vehicleID && vehicleID <= part.lastVehicle {
            // Vehicles are sorted within a part.
            var low = 0
            var high = part.vehicles.count - 1
            while low <= high {
                let mid = (low + high) / 2
                let candidate = part.vehicles[mid]
                if candidate.vehicleID == vehicleID { return (part, candidate) }
                if candidate.vehicleID < vehicleID { low = mid + 1 } else { high = mid - 1 }
            }
        }
        return nil
    }
}

/// One object of an archived day: a contiguous range of vehicle ids.
struct ArchivePart: Sendable, Codable, Equatable {
    var key: String
    var rows: Int
    var bytes: Int
    /// Hex SHA-256 of the object's bytes.
    var sha256: String
    var firstVehicle: String
    var lastVehicle: String
    var vehicles: [ArchiveVehicleSpan]

    enum CodingKeys: String, CodingKey {
        case key, rows, bytes, sha256
        case firstVehicle = "first_vehicle"
        case lastVehicle = "last_vehicle"
        case vehicles
    }
}

/// Where one vehicle's gzip member sits in its part.
struct ArchiveVehicleSpan: Sendable, Codable, Equatable {
    var vehicleID: String
    var offset: Int
    var length: Int
    var rows: Int

    enum CodingKeys: String, CodingKey {
        case vehicleID = "vehicle_id"
        case offset, length, rows
    }
}
