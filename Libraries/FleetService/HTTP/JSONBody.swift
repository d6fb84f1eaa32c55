import Foundation
import Hummingbird

/// JSON request bodies, read the same way by every service: the size limit is the one ``RequestBodyLimitMiddleware``
/// enforces (`FLEET_HTTP_MAX_BODY_BYTES`, 413 beyond it), and every decoding problem is a 400 ``ErrorResponse`` that
/// names the field.
public enum JSONBody {
    /// Decodes the request's body as `T`. An empty body decodes as `empty` when it is given, and is a 400 otherwise.
    public static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: some RequestContext, empty: T? = nil, decoder: JSONDecoder = JSONDecoder()
    ) async throws -> T {
        let bytes = try await bytes(of: request, context: context)
        if bytes.isEmpty, let empty { return empty }
        return try decode(type, from: bytes, decoder: decoder)
    }

    /// The request body's bytes (already collected and bounded by the body-limit middleware).
    public static func bytes(of request: Request, context: some RequestContext) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return Array(buffer.readableBytesView)
    }

    /// Decodes `bytes` as `T`, turning every decoding problem into a 400 that names the field.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], decoder: JSONDecoder = JSONDecoder()) throws -> T {
        guard !bytes.isEmpty else { throw HTTPError(.badRequest, message: "Request body must be a JSON object") }
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPError(.badRequest, message: "Missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw HTTPError(.badRequest, message: "Wrong type for field \(path(context.codingPath))")
        } catch let DecodingError.valueNotFound(_, context) {
            throw HTTPError(.badRequest, message: "Field \(path(context.codingPath)) must not be null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.isEmpty ? "" : " at \(path(context.codingPath))"
            throw HTTPError(.badRequest, message: "Malformed JSON\(field): \(context.debugDescription)")
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.badRequest, message: "Malformed JSON body")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
