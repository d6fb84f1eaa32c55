import FleetVRP
import Foundation

/// The literature instances in `../shared/data/vrp/` (next to the package), and small problems built in code.
enum VRPData {
    /// `…/shared/data/vrp`, found from this file's path.
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data/vrp", isDirectory: true)

    static func solomon(_ name: String) -> URL { folder.appendingPathComponent("solomon/\(name).txt") }
    static func cvrp(_ name: String) -> URL { folder.appendingPathComponent("cvrp/\(name).vrp") }

    /// Routes of a CVRPLIB `.sol` file (stop numbers are 1-based stop indices), padded to `vehicles`.
    static func solution(_ url: URL, vehicles: Int) throws -> VRPSolution {
        let text = try String(contentsOf: url, encoding: .utf8)
        var routes = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Route") }.map { line in
            line.split(separator: ":")[1].split(whereSeparator: \.isWhitespace).compactMap { Int($0) }.map { $0 - 1 }
        }
        while routes.count < vehicles { routes.append([]) }
        return VRPSolution(routes: routes)
    }

    /// Points on a plane with Euclidean distances rounded to integers (travel time = distance).
    static func euclidean(_ points: [(Int, Int)]) -> [Int] {
        let count = points.count
        var matrix = [Int](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in 0..<count {
                let dx = Double(points[i].0 - points[j].0)
                let dy = Double(points[i].1 - points[j].1)
                matrix[i * count + j] = Int((dx * dx + dy * dy).squareRoot().rounded())
            }
        }
        return matrix
    }
}
