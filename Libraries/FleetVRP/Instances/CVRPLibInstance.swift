import Foundation

/// A CVRPLIB instance in TSPLIB format (EUC_2D, one depot): distances are TSPLIB `nint` (⌊d + 0.5⌋), no time limits,
/// and the fleet is `k + max(2, ⌈0.2k⌉)` vehicles for the `k` in the name (the convention the anchors were measured
/// with).
public enum CVRPLibInstance {
    /// Reads `url`.
    public static func read(contentsOf url: URL) throws(VRPProblemError) -> VRPProblem {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable("\(url.lastPathComponent): \(error.localizedDescription)")
        }
        return try parse(text, name: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses TSPLIB text. `name` supplies `k` when the file's NAME line lacks it.
    public static func parse(_ text: String, name: String) throws(VRPProblemError) -> VRPProblem {
        var dimension = 0
        var capacity = 0
        var instanceName = name
        var coordinates: [Int: (Double, Double)] = [:]
        var demands: [Int: Int] = [:]
        var depots: [Int] = []
        var section = ""
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if let colon = trimmed.firstIndex(of: ":") {
                let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
                let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                switch key {
                case "DIMENSION": dimension = Int(value) ?? 0
                case "CAPACITY": capacity = Int(value) ?? 0
                case "NAME": instanceName = value
                case "EDGE_WEIGHT_TYPE" where value != "EUC_2D":
                    throw .unreadable("\(name): edge weight type \(value) is not supported")
                default: break
                }
                continue
            }
            if trimmed.hasSuffix("SECTION") || trimmed == "EOF" {
                section = trimmed
                continue
            }
            let fields = trimmed.split(whereSeparator: \.isWhitespace)
            switch section {
            case "NODE_COORD_SECTION" where fields.count >= 3:
                if let id = Int(fields[0]), let x = Double(fields[1]), let y = Double(fields[2]) { coordinates[id] = (x, y) }
            case "DEMAND_SECTION" where fields.count >= 2:
                if let id = Int(fields[0]), let demand = Int(fields[1]) { demands[id] = demand }
            case "DEPOT_SECTION":
                if let id = Int(fields[0]), id > 0 { depots.append(id) }
            default: break
            }
        }
        guard dimension > 1, capacity > 0, coordinates.count == dimension, demands.count == dimension,
            let depot = depots.first
        else { throw .unreadable("\(name): missing DIMENSION, CAPACITY, coordinates, demands or depot") }
        // Location 0 is the depot; stops keep the file's order.
        let order = [depot] + (1...dimension).filter { $0 != depot }
        let count = order.count
        var distances = [Int](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in 0..<count where i != j {
                guard let a = coordinates[order[i]], let b = coordinates[order[j]] else {
                    throw .unreadable("\(name): node \(order[i]) or \(order[j]) has no coordinates")
                }
                let dx = a.0 - b.0
                let dy = a.1 - b.1
                distances[i * count + j] = Int(((dx * dx + dy * dy).squareRoot() + 0.5).rounded(.down))
            }
        }
        let clients = order.dropFirst().enumerated().map { offset, id in
            VRPClient(location: offset + 1, demand: demands[id] ?? 0)
        }
        let k = routeCountInName(instanceName) ?? routeCountInName(name) ?? 1
        let fleet = k + max(2, Int((0.2 * Double(k)).rounded(.up)))
        let vehicles = (0..<fleet).map { _ in VRPVehicle(startLocation: 0, endLocation: 0, capacity: capacity) }
        return try VRPProblem(
            locationCount: count, distances: distances, durations: distances, clients: clients, vehicles: vehicles)
    }

    /// The `k` of a name such as `X-n101-k25`.
    static func routeCountInName(_ name: String) -> Int? {
        guard let range = name.range(of: "-k", options: .backwards) else { return nil }
        return Int(name[range.upperBound...].prefix { $0.isNumber })
    }
}
