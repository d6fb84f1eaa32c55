/// The kinds of simulated vehicle, with the physical figures their model uses.
public enum VehicleKind: String, Hashable, Sendable, CaseIterable {
    /// A small electric delivery robot on the roadside (slow, small battery, on-board computer).
    case robot
    /// An electric delivery van.
    case van
    /// A diesel city bus.
    case bus

    /// Top speed in m/s, whatever the road allows.
    public var maximumSpeed: Double {
        switch self {
        case .robot: 3.0
        case .van: 25.0
        case .bus: 16.7
        }
    }

    /// Comfortable acceleration in m/s².
    public var acceleration: Double {
        switch self {
        case .robot: 0.8
        case .van: 2.0
        case .bus: 1.0
        }
    }

    /// Comfortable braking in m/s².
    public var deceleration: Double {
        switch self {
        case .robot: 1.5
        case .van: 3.0
        case .bus: 1.5
        }
    }

    /// Whether the vehicle is electric (battery) rather than combustion (fuel).
    public var isElectric: Bool { self != .bus }

    /// Energy use per metre driven, in % of a full battery or tank.
    public var percentPerMeter: Double {
        switch self {
        case .robot: 0.004  // 25 km per charge
        case .van: 0.000_5  // 200 km
        case .bus: 0.000_2  // 500 km
        }
    }

    /// Energy use per second while powered but stationary, in %.
    public var percentPerIdleSecond: Double {
        switch self {
        case .robot: 0.000_5
        case .van: 0.000_2
        case .bus: 0.000_3
        }
    }

    /// Charging (or refuelling) rate in % per second.
    public var chargePercentPerSecond: Double {
        switch self {
        case .robot: 0.05  // ~30 min to full
        case .van: 0.03  // ~50 min
        case .bus: 2.0  // a few minutes at the pump
        }
    }

    /// Engine / drive-unit temperature at rest and at full load, in °C.
    public var temperatureRange: ClosedRange<Double> {
        switch self {
        case .robot: 25...45
        case .van: 30...65
        case .bus: 80...95
        }
    }

    /// Whether the vehicle reports host metrics of an on-board computer.
    public var hasOnboardComputer: Bool { self != .bus }

    /// Share of each kind in a generated fleet (robots, vans, buses).
    static func pick(_ value: Double) -> VehicleKind {
        switch value {
        case ..<0.5: .robot
        case ..<0.85: .van
        default: .bus
        }
    }
}
