/// Manifests read for history requests, by key. A manifest is immutable once its day is dropped (a day archived again
/// after a restore gets the same rows, so the same manifest), so entries never go stale; the cache is bounded.
actor ManifestCache {
    private var entries: [String: ArchiveManifest] = [:]
    private var order: [String] = []
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    func get(_ key: String) -> ArchiveManifest? { entries[key] }

    func put(_ key: String, _ manifest: ArchiveManifest) {
        if entries.updateValue(manifest, forKey: key) == nil {
            order.append(key)
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
    }

    func remove(_ key: String) {
        entries[key] = nil
        order.removeAll { $0 == key }
    }
}
