import FleetCore
import FleetHealthRules
import Foundation

/// One vehicle's row: recorded conditions, last levels and forecasts.
struct VehicleHealthRow: Sendable {
    var vehicleID: String
    var active: [HealthCondition: Int64]
    var firstSeenMillis: Int64
    var lastSeenMillis: Int64?
    var status: String?
    var batteryPercent: Double?
    var fuelPercent: Double?
    var engineTemperatureCelsius: Double?
    var forecast: StoredForecast?
    var battery: StoredBattery?

    /// The latest remaining-useful-life forecast.
    struct StoredForecast: Sendable, Codable, Equatable {
        var rulCycles: Double
        var lower: Double
        var upper: Double
        var at: Date
        enum CodingKeys: String, CodingKey {
            case lower, upper, at
            case rulCycles = "rul_cycles"
        }
    }

    /// The latest battery estimate.
    struct StoredBattery: Sendable, Codable, Equatable {
        var capacityRatio: Double?
        var endOfLifeCycle: Double?
        var cycle: Int?
        enum CodingKeys: String, CodingKey {
            case cycle
            case capacityRatio = "capacity_ratio"
            case endOfLifeCycle = "end_of_life_cycle"
        }
    }
}

/// What the last sample of a vehicle said, flushed periodically.
struct SeenVehicle: Sendable, Equatable {
    var vehicleID: String
    var lastSeenMillis: Int64
    var status: String?
    var batteryPercent: Double?
    var fuelPercent: Double?
    var engineTemperatureCelsius: Double?
    /// The latest forecasts, when the vehicle reports diagnostics.
    var engine: EngineForecast?
    var battery: BatteryEstimate?
}

/// Filters of an incident listing.
struct IncidentQuery: Sendable {
    var vehicleID: String?
    var fromMillis: Int64?
    var toMillis: Int64?
    var cause: IncidentCause?
    /// Start time and id of the last incident of the previous page.
    var after: (millis: Int64, id: String)?
    var limit: Int
}

extension HealthCondition {
    /// Parses the stored `{"key": since}` object; unknown keys are skipped.
    static func decodeActive(_ json: String) -> [HealthCondition: Int64] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var out: [HealthCondition: Int64] = [:]
        for (key, value) in object {
            guard let condition = HealthCondition(key: key) else { continue }
            out[condition] = (value as? NSNumber)?.int64Value ?? 0
        }
        return out
    }

    /// The stored form of `active`.
    static func encodeActive(_ active: [HealthCondition: Int64]) -> String {
        let object = Dictionary(uniqueKeysWithValues: active.map { ($0.key.key, $0.value) })
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
