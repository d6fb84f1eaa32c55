import Foundation

/// Best-known costs from a `bks.csv` (`instance,bks_cost,source,convention,…`), one convention at a time.
public struct BestKnownSolutions: Sendable {
    private var costs: [String: [String: Double]] = [:]

    /// Reads `url`.
    public init(contentsOf url: URL) throws(VRPProblemError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable("\(url.lastPathComponent): \(error.localizedDescription)")
        }
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = Self.fields(of: String(line))
            guard fields.count >= 4, let cost = Double(fields[1]) else { continue }
            costs[fields[3], default: [:]][fields[0]] = cost
        }
    }

    /// The best-known cost of `instance` under `convention` (`dimacs`, `round`, …).
    public func cost(of instance: String, convention: String) -> Double? {
        costs[convention]?[instance]
    }

    /// Splits one CSV line, honouring double quotes.
    private static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            switch character {
            case "\"": quoted.toggle()
            case "," where !quoted:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
