/// Decides which OSM ways a car may drive, in which directions and how fast.
///
/// Rules:
/// - `highway` must be a ``RoadClass``; footway/cycleway/path/pedestrian/track/bridleway only with an explicit
///   `motorcar`/`motor_vehicle` permission. `steps`, `area=yes`, `construction`, `proposed` etc. are never kept.
/// - Access: the most specific of `motorcar`, `motor_vehicle`, `vehicle`, `access` that is present decides;
///   `no`, `private`, `agricultural`, `forestry`, `emergency`, `military`, `psv`, `bus` close the way.
/// - Direction: `oneway[:motorcar|:motor_vehicle|:vehicle]` = `yes`/`1`/`true` (forward only), `-1`/`reverse`
///   (backward only), `no`/`0`/`false` (both); `reversible`/`alternating` ways are dropped; when absent,
///   roundabouts (`junction=roundabout|circular`) and motorways imply one-way.
/// - Speed: `maxspeed:forward`/`maxspeed:backward`, else `maxspeed` (see ``MaxSpeed``), else the class default.
public struct DrivingProfile: Hashable, Sendable {
    /// Default speeds (km/h) by road class; classes missing here use ``RoadClass/defaultSpeedKilometresPerHour``.
    public var defaultSpeeds: [RoadClass: Double]

    /// Creates a profile, optionally overriding default speeds.
    public init(defaultSpeeds: [RoadClass: Double] = [:]) {
        self.defaultSpeeds = defaultSpeeds
    }

    /// The standard car profile.
    public static let car = DrivingProfile()

    private static let deniedAccess: Set<String> = [
        "no", "private", "agricultural", "forestry", "emergency", "military", "psv", "bus",
    ]
    private static let explicitPermission: Set<String> = ["yes", "designated", "permissive", "destination"]

    /// The traversal for a way with `tags`, or `nil` if cars may not use it.
    public func traversal(for tags: [String: String]) -> WayTraversal? {
        guard let highway = tags["highway"], let roadClass = RoadClass(rawValue: highway) else { return nil }
        if tags["area"] == "yes" { return nil }

        let accessKey = ["motorcar", "motor_vehicle", "vehicle", "access"].first { tags[$0] != nil }
        if let accessKey, let value = tags[accessKey], Self.deniedAccess.contains(value) { return nil }
        if !roadClass.isDrivableByDefault {
            let explicit = ["motorcar", "motor_vehicle"].contains { tags[$0].map(Self.explicitPermission.contains) ?? false }
            guard explicit else { return nil }
        }

        var forward = true
        var backward = true
        let onewayValue = ["oneway:motorcar", "oneway:motor_vehicle", "oneway:vehicle", "oneway"].lazy
            .compactMap { tags[$0] }.first
        switch onewayValue {
        case "yes", "1", "true": backward = false
        case "-1", "reverse": forward = false
        case "no", "0", "false": break
        case "reversible", "alternating": return nil
        default:
            let junction = tags["junction"]
            if junction == "roundabout" || junction == "circular" || roadClass.impliesOneWay { backward = false }
        }

        let fallback = defaultSpeeds[roadClass] ?? roadClass.defaultSpeedKilometresPerHour
        let general = tags["maxspeed"].flatMap(MaxSpeed.kilometresPerHour) ?? fallback
        return WayTraversal(
            roadClass: roadClass, forward: forward, backward: backward,
            forwardSpeedKilometresPerHour: tags["maxspeed:forward"].flatMap(MaxSpeed.kilometresPerHour) ?? general,
            backwardSpeedKilometresPerHour: tags["maxspeed:backward"].flatMap(MaxSpeed.kilometresPerHour) ?? general)
    }
}
