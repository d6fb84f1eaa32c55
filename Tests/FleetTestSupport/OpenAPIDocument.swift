import Foundation
import Yams

/// A service's OpenAPI document, parsed with a real YAML parser and checked against the OpenAPI 3 structure, for the
/// tests that compare it with the router.
public enum OpenAPIDocument {
    /// The repository root (this file is `Tests/FleetTestSupport/OpenAPIDocument.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// A document that is not valid YAML or not a structurally valid OpenAPI 3 document.
    public struct Invalid: Error, CustomStringConvertible {
        /// The document's path.
        public var path: String
        /// Every problem found.
        public var problems: [String]
        public var description: String { "\(path) is not a valid OpenAPI 3 document:\n- " + problems.joined(separator: "\n- ") }
    }

    /// Parses the document at `relativePath` (from the repository root) and checks its structure; throws ``Invalid``
    /// (or the YAML parser's error) for a broken document.
    public static func load(at relativePath: String) throws -> [String: Any] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else {
            throw Invalid(path: relativePath, problems: ["the top level is not a mapping"])
        }
        let problems = structuralProblems(document)
        guard problems.isEmpty else { throw Invalid(path: relativePath, problems: problems) }
        return document
    }

    /// `METHOD /path/{param}` for every operation under `paths` of the document at `relativePath`.
    public static func operations(at relativePath: String) throws -> Set<String> {
        let document = try load(at: relativePath)
        var operations = Set<String>()
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for key in (item as? [String: Any] ?? [:]).keys where methods.contains(key) {
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// An operation and the scopes its `security` requirement names (empty: any valid token).
    public struct SecuredOperation: Sendable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var scopes: [String]
        public var description: String { "\(method.uppercased()) \(path) [\(scopes.joined(separator: " "))]" }

        /// The path with every `{parameter}` replaced by a harmless sample value.
        public var samplePath: String {
            path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? "probe-1" : String($0) }.joined(separator: "/")
        }
    }

    /// Every operation under `/v1` of the document, with the scopes of its bearer security requirement (the
    /// operation's own, else the document's). An operation without one is reported with `nil` scopes, so a test can
    /// fail on it.
    public static func v1Operations(at relativePath: String) throws -> [(operation: SecuredOperation, secured: Bool)] {
        let document = try load(at: relativePath)
        let global = document["security"] as? [[String: Any]]
        var result: [(SecuredOperation, Bool)] = []
        for (path, item) in document["paths"] as? [String: Any] ?? [:] where path.hasPrefix("/v1") {
            for (method, value) in item as? [String: Any] ?? [:] where methods.contains(method) {
                let requirements = (value as? [String: Any])?["security"] as? [[String: Any]] ?? global ?? []
                let bearer = requirements.compactMap { $0["bearer"] as? [Any] }.first
                let scopes = bearer?.compactMap { $0 as? String } ?? []
                result.append((SecuredOperation(method: method, path: path, scopes: scopes), bearer != nil && !scopes.isEmpty))
            }
        }
        return result.sorted { $0.0.description < $1.0.description }
    }

    /// A router route as the document writes it: `:id` becomes `{id}`, with a leading `/`.
    public static func operation(method: String, routerPath: String) -> String {
        let parts = routerPath.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        return "\(method) /" + parts.joined(separator: "/")
    }

    /// What the OpenAPI 3 structure requires and these documents rely on: version 3.x, `info.title` and `info.version`,
    /// paths starting with `/` whose template parameters are declared `in: path`, every operation with responses whose
    /// codes are strings, every local `$ref` resolving, operation ids unique, security requirements naming declared
    /// schemes.
    static func structuralProblems(_ document: [String: Any]) -> [String] {
        var problems: [String] = []
        guard let version = document["openapi"] as? String, version.hasPrefix("3.") else {
            return ["'openapi' must be a 3.x version string"]
        }
        let info = document["info"] as? [String: Any]
        if !(info?["title"] is String) { problems.append("info.title must be a string") }
        if !(info?["version"] is String) { problems.append("info.version must be a string") }
        guard let paths = document["paths"] as? [String: Any] else { return problems + ["'paths' must be a mapping"] }
        let schemes = Set(((document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any] ?? [:]).keys)
        func checkSecurity(_ value: Any?, at place: String) {
            guard let value else { return }
            guard let requirements = value as? [[String: Any]] else { return problems.append("\(place): security must be a list of mappings") }
            for requirement in requirements {
                for name in requirement.keys where !schemes.contains(name) {
                    problems.append("\(place): security names the undeclared scheme '\(name)'")
                }
            }
        }
        checkSecurity(document["security"], at: "top level")
        var operationIDs = Set<String>()
        for (path, value) in paths {
            guard path.hasPrefix("/") else {
                problems.append("path '\(path)' must start with /")
                continue
            }
            guard let item = value as? [String: Any] else {
                problems.append("\(path) must be a mapping")
                continue
            }
            let templated = Set(path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) })
            let shared = parameters(item["parameters"], in: document)
            for (key, operationValue) in item where methods.contains(key) {
                let place = "\(key.uppercased()) \(path)"
                guard let operation = operationValue as? [String: Any] else {
                    problems.append("\(place) must be a mapping")
                    continue
                }
                guard let responses = operation["responses"] as? [String: Any], !responses.isEmpty else {
                    problems.append("\(place) has no responses")
                    continue
                }
                if let id = operation["operationId"] as? String, !operationIDs.insert(id).inserted {
                    problems.append("\(place): operationId '\(id)' is used twice")
                }
                let declared = shared.union(parameters(operation["parameters"], in: document))
                for name in templated where !declared.contains(name) {
                    problems.append("\(place): path parameter '\(name)' is not declared")
                }
                checkSecurity(operation["security"], at: place)
            }
        }
        for reference in references(in: document) where resolve(reference, in: document) == nil {
            problems.append("$ref '\(reference)' does not resolve")
        }
        return problems
    }

    /// Names of the `in: path` parameters of a parameter list (following local `$ref`s).
    private static func parameters(_ value: Any?, in document: [String: Any]) -> Set<String> {
        var names = Set<String>()
        for entry in value as? [Any] ?? [] {
            var parameter = entry as? [String: Any]
            if let reference = parameter?["$ref"] as? String { parameter = resolve(reference, in: document) as? [String: Any] }
            if parameter?["in"] as? String == "path", let name = parameter?["name"] as? String { names.insert(name) }
        }
        return names
    }

    private static func references(in value: Any) -> [String] {
        if let mapping = value as? [String: Any] {
            var found: [String] = []
            if let reference = mapping["$ref"] as? String { found.append(reference) }
            for child in mapping.values { found += references(in: child) }
            return found
        }
        if let list = value as? [Any] { return list.flatMap { references(in: $0) } }
        return []
    }

    /// The target of a local `#/a/b` reference, or nil.
    private static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return node
    }
}
