/// The OSM `highway=*` values a car may use (some only when explicitly opened to motor vehicles).
public enum RoadClass: String, Hashable, Sendable, CaseIterable {
    /// Main road classes, from motorways down to `service` and the unknown-class `road`.
    case motorway, trunk, primary, secondary, tertiary, unclassified, residential, service, road
    /// Slip road of a motorway.
    case motorwayLink = "motorway_link"
    /// Slip road of a trunk road.
    case trunkLink = "trunk_link"
    /// Slip road of a primary road.
    case primaryLink = "primary_link"
    /// Slip road of a secondary road.
    case secondaryLink = "secondary_link"
    /// Slip road of a tertiary road.
    case tertiaryLink = "tertiary_link"
    /// Shared street where pedestrians have priority.
    case livingStreet = "living_street"
    /// Closed to cars unless tagged `motor_vehicle=yes` (or `motorcar=yes`).
    case track, path, footway, cycleway, pedestrian, bridleway

    /// Whether cars may use this class by default; the rest need an explicit motor-vehicle permission.
    public var isDrivableByDefault: Bool {
        switch self {
        case .track, .path, .footway, .cycleway, .pedestrian, .bridleway: false
        default: true
        }
    }

    /// Speed assumed when a way has no usable `maxspeed`, in km/h (urban-leaning European values).
    public var defaultSpeedKilometresPerHour: Double {
        switch self {
        case .motorway: 110
        case .trunk: 90
        case .primary: 65
        case .secondary: 55
        case .tertiary: 45
        case .unclassified, .road: 35
        case .residential: 30
        case .service: 20
        case .livingStreet: 10
        case .motorwayLink: 60
        case .trunkLink: 50
        case .primaryLink: 45
        case .secondaryLink: 40
        case .tertiaryLink: 35
        case .track: 15
        case .path, .footway, .cycleway, .pedestrian, .bridleway: 10
        }
    }

    /// Whether the class implies one-way traffic when `oneway` is absent (motorways and their slip roads).
    public var impliesOneWay: Bool {
        self == .motorway || self == .motorwayLink
    }
}
