/// A failure fleetctl reports as `Error: <message>` with exit status 1.
struct FleetctlError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
