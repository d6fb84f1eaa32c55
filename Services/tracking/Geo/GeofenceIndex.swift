import FleetCore
import FleetService

/// The geofences in force, with their bounding boxes precomputed; a value, swapped whole on change.
struct GeofenceIndex: Sendable {
    private var entries: [(fence: Geofence, bounds: BoundingBox)]
    /// The version (change time) of the table this index was built from.
    var version: Int64

    init(_ fences: [Geofence] = [], version: Int64 = 0) {
        entries = fences.map { ($0, $0.bounds) }
        self.version = version
    }

    var fences: [Geofence] { entries.map(\.fence) }

    /// Ids of the geofences containing the position, sorted.
    func containing(_ position: Position) -> [String] {
        var ids: [String] = []
        for (fence, bounds) in entries
        where bounds.contains(latitude: position.latitude, longitude: position.longitude)
            && fence.contains(latitude: position.latitude, longitude: position.longitude)
        {
            ids.append(fence.id)
        }
        return ids.sorted()
    }
}
