import Foundation

/// One telemetry row as archived: the columns of `telemetry`, times in microseconds (lossless for `timestamptz`),
/// absent optional values left out. One line of NDJSON.
struct ArchivedRow: Sendable, Codable, Equatable {
    var vehicleID: String
    var seq: Int64
    var deviceTimeMicros: Int64
    var receivedAtMicros: Int64
    var lat: Double
    var lon: Double
    var accuracyM: Float?
    var speedMps: Float
    var headingDeg: Float
    var odometerM: Double
    var batteryPct: Float?
    var fuelPct: Float?
    var engineTempC: Float?
    var rpm: Float?
    var status: String
    var faultCodes: [String]?

    enum CodingKeys: String, CodingKey {
        case vehicleID = "vehicle_id"
        case seq
        case deviceTimeMicros = "device_time_us"
        case receivedAtMicros = "received_at_us"
        case lat, lon
        case accuracyM = "accuracy_m"
        case speedMps = "speed_mps"
        case headingDeg = "heading_deg"
        case odometerM = "odometer_m"
        case batteryPct = "battery_pct"
        case fuelPct = "fuel_pct"
        case engineTempC = "engine_temp_c"
        case rpm, status
        case faultCodes = "fault_codes"
    }

    /// The row as one JSON line (with the newline), written by hand: the archive's hot loop. Numbers use Swift's
    /// shortest round-trip form, so reading the line back gives the same values.
    func line() -> String {
        var out = "{\"vehicle_id\":"
        Self.appendString(vehicleID, to: &out)
        out += ",\"seq\":\(seq),\"device_time_us\":\(deviceTimeMicros),\"received_at_us\":\(receivedAtMicros)"
        out += ",\"lat\":\(Self.number(lat)),\"lon\":\(Self.number(lon))"
        if let accuracyM { out += ",\"accuracy_m\":\(Self.number(accuracyM))" }
        out += ",\"speed_mps\":\(Self.number(speedMps)),\"heading_deg\":\(Self.number(headingDeg))"
        out += ",\"odometer_m\":\(Self.number(odometerM))"
        if let batteryPct { out += ",\"battery_pct\":\(Self.number(batteryPct))" }
        if let fuelPct { out += ",\"fuel_pct\":\(Self.number(fuelPct))" }
        if let engineTempC { out += ",\"engine_temp_c\":\(Self.number(engineTempC))" }
        if let rpm { out += ",\"rpm\":\(Self.number(rpm))" }
        out += ",\"status\":"
        Self.appendString(status, to: &out)
        if let faultCodes {
            out += ",\"fault_codes\":["
            for (index, code) in faultCodes.enumerated() {
                if index > 0 { out += "," }
                Self.appendString(code, to: &out)
            }
            out += "]"
        }
        out += "}\n"
        return out
    }

    /// Rows of NDJSON text (one member's worth); blank lines are skipped.
    static func decode(lines bytes: [UInt8]) throws -> [ArchivedRow] {
        // One JSONDecoder pass over "[line,line,…]" instead of one per line.
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(bytes.count + 2)
        var first = true
        var lineStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
            if index > lineStart {
                if !first { array.append(UInt8(ascii: ",")) }
                array.append(contentsOf: bytes[lineStart..<index])
                first = false
            }
            lineStart = index + 1
        }
        array.append(UInt8(ascii: "]"))
        return try JSONDecoder().decode([ArchivedRow].self, from: Data(array))
    }

    private static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    private static func number(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    private static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
