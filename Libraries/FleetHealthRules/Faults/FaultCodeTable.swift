public import Foundation

/// The diagnostic trouble codes fleet-health knows (`Resources/fault-codes.json`: powertrain, hybrid/EV battery,
/// thermal, emissions, chassis, body and network codes); a code it does not know gets ``defaultInfo``.
public struct FaultCodeTable: Sendable {
    /// Known codes, upper-case.
    public let codes: [String: FaultCodeInfo]
    /// What an unknown code gets.
    public let defaultInfo: FaultCodeInfo

    /// Creates a table.
    public init(codes: [String: FaultCodeInfo], defaultInfo: FaultCodeInfo) {
        self.codes = Dictionary(uniqueKeysWithValues: codes.map { ($0.key.uppercased(), $0.value) })
        self.defaultInfo = defaultInfo
    }

    /// The table shipped with the library.
    public static func bundled() throws -> FaultCodeTable {
        guard let url = Bundle.module.url(forResource: "Resources/fault-codes", withExtension: "json")
            ?? Bundle.module.url(forResource: "fault-codes", withExtension: "json")
        else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "fault-codes.json is missing from the bundle"]) }
        return try load(from: Data(contentsOf: url))
    }

    /// Parses a table in the shipped format (`{"default": {...}, "codes": {"P0217": {...}}}`).
    public static func load(from data: Data) throws -> FaultCodeTable {
        struct File: Decodable {
            var `default`: FaultCodeInfo
            var codes: [String: FaultCodeInfo]
        }
        let file = try JSONDecoder().decode(File.self, from: data)
        return FaultCodeTable(codes: file.codes, defaultInfo: file.default)
    }

    /// The entry for `code` (case-insensitive), or ``defaultInfo``.
    public func info(for code: String) -> FaultCodeInfo {
        codes[code] ?? codes[code.uppercased()] ?? defaultInfo
    }

    /// Whether `code` is in the table.
    public func knows(_ code: String) -> Bool { codes[code.uppercased()] != nil }
}
