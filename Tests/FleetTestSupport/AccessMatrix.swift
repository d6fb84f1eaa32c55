import FleetService
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The table-driven authorisation check of a service, read from its OpenAPI document: every `/v1` operation must
/// declare a scope, answer 401 without a token, 403 with a token holding every other scope, and neither with its own.
///
/// An endpoint added later without protection (or documented with the wrong scope) fails the suite.
public enum AccessMatrix {
    /// Checks every `/v1` operation of `document` against the running service behind `client`.
    ///
    /// - Parameter token: Makes a token with exactly the given scopes (for the service under test).
    public static func check(
        document: String, client: any TestClientProtocol, token: (_ scopes: [Scope]) async throws -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let operations = try OpenAPIDocument.v1Operations(at: document)
        #expect(!operations.isEmpty, "no /v1 operations in \(document)", sourceLocation: sourceLocation)
        for (operation, secured) in operations {
            #expect(secured, "\(operation) declares no bearer scope in \(document)", sourceLocation: sourceLocation)
            let required = Set(operation.scopes.compactMap(Scope.init(rawValue:)))
            #expect(required.count == operation.scopes.count, "\(operation) names an unknown scope", sourceLocation: sourceLocation)
            guard secured, !required.isEmpty else { continue }
            let method = HTTPRequest.Method(operation.method.uppercased())!
            let body: ByteBuffer? = ["post", "put", "patch"].contains(operation.method) ? ByteBuffer(string: "{}") : nil
            let json: HTTPFields = body == nil ? [:] : [.contentType: "application/json"]

            let anonymous = try await client.execute(uri: operation.samplePath, method: method, headers: json, body: body)
            #expect(anonymous.status == .unauthorized, "\(operation) without a token answered \(anonymous.status)", sourceLocation: sourceLocation)

            let others = Scope.allCases.filter { $0 != .admin && !required.contains($0) }
            if !required.contains(.admin) || !others.isEmpty {
                var headers = json
                headers[.authorization] = "Bearer \(try await token(others))"
                let lacking = try await client.execute(uri: operation.samplePath, method: method, headers: headers, body: body)
                #expect(
                    lacking.status == .forbidden, "\(operation) with scopes \(others.map(\.rawValue)) answered \(lacking.status)",
                    sourceLocation: sourceLocation)
            }

            var headers = json
            headers[.authorization] = "Bearer \(try await token(Array(required)))"
            let allowed = try await client.execute(uri: operation.samplePath, method: method, headers: headers, body: body)
            #expect(
                allowed.status != .unauthorized && allowed.status != .forbidden,
                "\(operation) with its own scope answered \(allowed.status)", sourceLocation: sourceLocation)
        }
    }
}
