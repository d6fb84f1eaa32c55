import Foundation

/// Reads the operations of a service's OpenAPI document, for the tests that check it against the router.
public enum OpenAPIDocument {
    /// The repository root (this file is `Tests/FleetTestSupport/OpenAPIDocument.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// `METHOD /path/{param}` for every operation under `paths:` of the document at `relativePath`
    /// (simple line parsing: two-space-indented path keys, four-space-indented method keys).
    public static func operations(at relativePath: String) throws -> Set<String> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("#") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.trimmingCharacters(in: .whitespaces).dropLast())
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    /// A router route as the document writes it: `:id` becomes `{id}`, with a leading `/`.
    public static func operation(method: String, routerPath: String) -> String {
        let parts = routerPath.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        return "\(method) /" + parts.joined(separator: "/")
    }
}
