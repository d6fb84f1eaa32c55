import FleetCore
import Synchronization

/// The geofence index every replica uses, replaced whole when the table changes.
final class GeofenceCache: Sendable {
    private let index = Mutex(GeofenceIndex())

    var current: GeofenceIndex { index.withLock { $0 } }

    func replace(_ new: GeofenceIndex) {
        index.withLock { $0 = new }
    }

    /// Reloads from the repository when its version differs from the cached one.
    func refresh(from repository: some TrackingRepository) async throws {
        let version = try await repository.geofencesVersion()
        guard version != current.version else { return }
        replace(GeofenceIndex(try await repository.geofences(), version: version))
    }
}
