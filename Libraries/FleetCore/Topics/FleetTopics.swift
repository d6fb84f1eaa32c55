/// Topic prefixes, subscription filters and MQTT v5 shared-subscription helpers.
public enum FleetTopics {
    /// Root of every FleetCore topic; the `v1` level changes only with an incompatible topic scheme.
    public static let root = "fleet/v1"
    /// Prefix of the per-vehicle topics.
    public static let vehiclesPrefix = "fleet/v1/vehicles"
    /// Prefix of the event topics.
    public static let eventsPrefix = "fleet/v1/events"
    /// Prefix of the dead-letter topics.
    public static let deadLetterPrefix = "fleet/v1/deadletter"

    /// Every event: `fleet/v1/events/+`.
    public static let allEvents = "fleet/v1/events/+"
    /// Every dead letter: `fleet/v1/deadletter/+`.
    public static let allDeadLetters = "fleet/v1/deadletter/+"
    /// Every per-vehicle topic: `fleet/v1/vehicles/#`.
    public static let allVehicleTopics = "fleet/v1/vehicles/#"
    /// Prefix of the compact position stream (``PositionBatch``).
    public static let positionsPrefix = "fleet/v1/positions"
    /// Every shard of the position stream: `fleet/v1/positions/+`.
    public static let allPositions = "fleet/v1/positions/+"

    /// The topic of one shard of the position stream: `fleet/v1/positions/{shard}`.
    public static func positions(shard: Int) -> String { "\(positionsPrefix)/\(shard)" }

    /// Prefix of the commit stream (``CommitBatch``).
    public static let commitsPrefix = "fleet/v1/commits"
    /// Every shard of the commit stream: `fleet/v1/commits/+`.
    public static let allCommits = "fleet/v1/commits/+"

    /// The topic of one shard of the commit stream: `fleet/v1/commits/{shard}`.
    public static func commits(shard: Int) -> String { "\(commitsPrefix)/\(shard)" }

    /// The filter for one channel of every vehicle, e.g. `fleet/v1/vehicles/+/state`.
    public static func filter(_ channel: VehicleChannel) -> String { channel.filter }

    /// The filter for every channel of one vehicle: `fleet/v1/vehicles/{id}/#`.
    public static func filter(vehicle: VehicleID) -> String { "\(vehiclesPrefix)/\(vehicle.rawValue)/#" }

    /// The topic for `channel` of `vehicle`.
    public static func topic(_ channel: VehicleChannel, for vehicle: VehicleID) -> String { channel.topic(for: vehicle) }

    /// The topic for events of `type`.
    public static func events(_ type: FleetEventType) -> String { FleetTopic.events(type).name }

    /// The dead-letter topic for `source` (a service name, `[A-Za-z0-9._-]{1,64}`).
    public static func deadLetter(source: String) throws(ValidationError) -> String {
        guard isValidToken(source) else {
            throw ValidationError(field: "source", reason: "must match [A-Za-z0-9._-]{1,64}")
        }
        return "\(deadLetterPrefix)/\(source)"
    }

    // MARK: Shared subscriptions

    /// Whether `group` is a valid shared-subscription group name.
    ///
    /// MQTT v5 forbids `/`, `+` and `#`; FleetCore further restricts names to `[A-Za-z0-9._-]{1,64}`.
    public static func isValidShareGroup(_ group: String) -> Bool { isValidToken(group) }

    /// `$share/{group}/{filter}`: the broker load-balances matching messages across the group's members.
    /// - Throws: ``ValidationError`` (field `group` or `filter`) for an invalid group name or filter.
    public static func shared(group: String, filter: String) throws(ValidationError) -> String {
        guard isValidShareGroup(group) else {
            throw ValidationError(field: "group", reason: "shared-subscription group must match [A-Za-z0-9._-]{1,64}")
        }
        try validateFilter(filter)
        guard !filter.hasPrefix("$share/") else {
            throw ValidationError(field: "filter", reason: "is already a shared subscription")
        }
        return "$share/\(group)/\(filter)"
    }

    /// Splits `$share/{group}/{filter}` into its parts; `nil` if `subscription` is not a valid shared subscription.
    public static func parseShared(_ subscription: String) -> (group: String, filter: String)? {
        guard subscription.hasPrefix("$share/") else { return nil }
        let rest = subscription.dropFirst("$share/".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let group = String(rest[..<slash])
        let filter = String(rest[rest.index(after: slash)...])
        guard isValidShareGroup(group), (try? validateFilter(filter)) != nil else { return nil }
        return (group, filter)
    }

    // MARK: Filters

    /// Checks MQTT filter syntax: non-empty, `+` and `#` only as whole levels, `#` only last, no NUL.
    public static func validateFilter(_ filter: String) throws(ValidationError) {
        guard !filter.isEmpty, filter.utf8.count <= 65_535 else {
            throw ValidationError(field: "filter", reason: "must be 1...65535 bytes")
        }
        guard !filter.utf8.contains(0) else { throw ValidationError(field: "filter", reason: "must not contain NUL") }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || index != levels.count - 1) {
                throw ValidationError(field: "filter", reason: "'#' must be a whole level and the last one")
            }
            if level.contains("+") && level != "+" {
                throw ValidationError(field: "filter", reason: "'+' must be a whole level")
            }
        }
    }

    /// Whether the concrete `topic` matches `filter` under MQTT rules
    /// (wildcards in the first level do not match topics starting with `$`).
    public static func matches(filter: String, topic: String) -> Bool {
        let filterLevels = filter.split(separator: "/", omittingEmptySubsequences: false)
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = filterLevels.first, first == "+" || first == "#" { return false }
        var index = 0
        while index < filterLevels.count {
            let level = filterLevels[index]
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
            index += 1
        }
        return index == topicLevels.count
    }

    static func isValidToken(_ text: String) -> Bool {
        (try? Check.token(text, length: FleetLimits.identifierLength, "token")) != nil
    }
}
