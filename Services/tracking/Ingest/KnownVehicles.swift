/// Vehicles known to be registered, so that each batch asks PostgreSQL only about new ones.
actor KnownVehicles {
    private var known = Set<String>()
    /// Bounds memory for very large fleets; past it the cache is cleared and refilled.
    private let limit: Int

    init(limit: Int = 1_000_000) {
        self.limit = limit
    }

    /// The subset of `vehicles` not known yet.
    func unknown(among vehicles: [String]) -> [String] {
        vehicles.filter { !known.contains($0) }
    }

    func insert(_ vehicles: some Sequence<String>) {
        if known.count > limit { known.removeAll(keepingCapacity: true) }
        known.formUnion(vehicles)
    }
}
