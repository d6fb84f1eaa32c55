import Foundation

/// A Solomon (1987) VRPTW instance under the DIMACS convention: distances and travel times are Euclidean distances
/// truncated to one decimal, the objective is total distance, and the file's whole fleet is available.
///
/// Everything is scaled by 10 so that the truncated distances are exact integers; ``scale`` converts back.
public enum SolomonInstance {
    /// Units per unit of the file (distances, times and costs are tenths).
    public static let scale = 10

    /// Reads `url`.
    public static func read(contentsOf url: URL) throws(VRPProblemError) -> VRPProblem {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable("\(url.lastPathComponent): \(error.localizedDescription)")
        }
        return try parse(text, name: url.lastPathComponent)
    }

    /// Parses Solomon text: a VEHICLE section (number, capacity) and a CUSTOMER table whose first row is the depot.
    public static func parse(_ text: String, name: String = "instance") throws(VRPProblemError) -> VRPProblem {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(whereSeparator: \.isWhitespace) }
        guard let vehicleHeader = lines.firstIndex(where: { $0.first == "NUMBER" }),
            vehicleHeader + 1 < lines.count, lines[vehicleHeader + 1].count >= 2,
            let vehicleCount = Int(lines[vehicleHeader + 1][0]), let capacity = Int(lines[vehicleHeader + 1][1])
        else { throw .unreadable("\(name): no VEHICLE NUMBER/CAPACITY") }
        var rows: [[Int]] = []
        for fields in lines where fields.count == 7 {
            let numbers = fields.compactMap { Int($0) }
            if numbers.count == 7 { rows.append(numbers) }
        }
        guard rows.count >= 2 else { throw .unreadable("\(name): no customers") }
        let count = rows.count
        var distances = [Int](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in 0..<count where i != j {
                let dx = rows[i][1] - rows[j][1]
                let dy = rows[i][2] - rows[j][2]
                distances[i * count + j] = truncatedTenths(squared: dx * dx + dy * dy)
            }
        }
        let depot = rows[0]
        let clients = rows.dropFirst().enumerated().map { offset, row in
            VRPClient(
                location: offset + 1, demand: row[3], serviceDuration: row[6] * scale, earliest: row[4] * scale,
                latest: row[5] * scale)
        }
        let vehicles = (0..<vehicleCount).map { _ in
            VRPVehicle(
                startLocation: 0, endLocation: 0, capacity: capacity, shiftStart: depot[4] * scale,
                shiftEnd: depot[5] * scale)
        }
        return try VRPProblem(
            locationCount: count, distances: distances, durations: distances, clients: clients, vehicles: vehicles)
    }

    /// ⌊10·√s⌋ computed exactly in integers (floating point can land just below an exact tenth).
    static func truncatedTenths(squared: Int) -> Int {
        let target = squared * 100
        var root = Int(Double(target).squareRoot())
        while root * root > target { root -= 1 }
        while (root + 1) * (root + 1) <= target { root += 1 }
        return root
    }
}
