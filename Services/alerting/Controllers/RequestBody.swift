import Foundation
import Hummingbird

/// Reads a bounded JSON request body with clear errors (the body limit itself is enforced by the middleware).
enum RequestBody {
    /// Decodes `T`; an empty body decodes `empty` when given. Errors are 400 with the decoder's explanation.
    static func decode<T: Decodable, Context: RequestContext>(
        _ type: T.Type, from request: Request, context: Context, empty: T? = nil, maxBytes: Int = 1 << 20
    ) async throws -> T {
        let buffer = try await request.body.collect(upTo: maxBytes)
        if buffer.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: "invalid JSON body: \(describe(error))")
        } catch {
            throw HTTPError(.badRequest, message: "invalid JSON body")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "body" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default: return "not valid"
        }
    }
}
