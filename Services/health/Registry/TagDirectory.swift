import Synchronization

/// Vehicle tags from the registry (fleet-control), so events carry them and tag-based alert rules match.
final class TagDirectory: Sendable {
    private let tagsByVehicle = Mutex<[String: [String]]>([:])

    init() {}

    /// Replaces the whole directory.
    func replace(_ tags: [String: [String]]) { tagsByVehicle.withLock { $0 = tags } }

    /// The tags of `vehicles` (vehicles without tags are absent).
    func tags(for vehicles: Set<String>) -> [String: [String]] {
        tagsByVehicle.withLock { all in
            var out: [String: [String]] = [:]
            for vehicle in vehicles { if let tags = all[vehicle], !tags.isEmpty { out[vehicle] = tags } }
            return out
        }
    }

    /// Vehicles with tags.
    var count: Int { tagsByVehicle.withLock { $0.count } }
}
