/// What a ``Command`` asks a vehicle to do.
///
/// On the wire the action is a string (`action`) plus, for actions with a parameter, a sibling field
/// (`speed_limit_mps` for ``setSpeedLimit(metersPerSecond:)``, `route` for ``followRoute(_:)``). New actions are added as new cases with a
/// new ``Kind`` raw value; decoders reject kinds they do not know.
public enum CommandAction: Hashable, Sendable {
    /// Stop safely and hold until resumed.
    case pause
    /// Continue after a pause.
    case resume
    /// Drive back to the home depot.
    case returnToBase
    /// Impose a speed limit in m/s (within ``FleetLimits/speedLimitMetersPerSecond``).
    case setSpeedLimit(metersPerSecond: Double)
    /// Remove any imposed speed limit.
    case clearSpeedLimit
    /// Drive to the route's stops in order, standing at each for its service time; replaces any route being followed.
    /// Acknowledged `accepted`, then `completed` after the last stop.
    case followRoute(RouteInstruction)

    /// The parameterless discriminator; its raw value is the wire `action` string.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// ``CommandAction/pause``.
        case pause
        /// ``CommandAction/resume``.
        case resume
        /// ``CommandAction/returnToBase``.
        case returnToBase = "return_to_base"
        /// ``CommandAction/setSpeedLimit(metersPerSecond:)``.
        case setSpeedLimit = "set_speed_limit"
        /// ``CommandAction/clearSpeedLimit``.
        case clearSpeedLimit = "clear_speed_limit"
        /// ``CommandAction/followRoute(_:)``.
        case followRoute = "follow_route"

        var wireCode: UInt8 {
            switch self {
            case .pause: 0
            case .resume: 1
            case .returnToBase: 2
            case .setSpeedLimit: 3
            case .clearSpeedLimit: 4
            case .followRoute: 5
            }
        }

        init?(wireCode: UInt8) {
            guard let match = Kind.allCases.first(where: { $0.wireCode == wireCode }) else { return nil }
            self = match
        }
    }

    /// The discriminator of this action.
    public var kind: Kind {
        switch self {
        case .pause: .pause
        case .resume: .resume
        case .returnToBase: .returnToBase
        case .setSpeedLimit: .setSpeedLimit
        case .clearSpeedLimit: .clearSpeedLimit
        case .followRoute: .followRoute
        }
    }

    /// The route of ``followRoute(_:)``, `nil` for every other action.
    public var route: RouteInstruction? {
        if case .followRoute(let route) = self { return route }
        return nil
    }

    /// Checks the parameter, if any; field names are wire paths (`speed_limit_mps`, `route.stops[2].lat`).
    public func validate() throws(ValidationError) {
        switch self {
        case .setSpeedLimit(let limit):
            try Check.range(limit, FleetLimits.speedLimitMetersPerSecond, "speed_limit_mps")
        case .followRoute(let route):
            do throws(ValidationError) { try route.validate() } catch { throw error.nested(under: "route") }
        case .pause, .resume, .returnToBase, .clearSpeedLimit:
            break
        }
    }
}
