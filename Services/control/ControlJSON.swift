import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out of the API: snake_case DTOs, ISO 8601 dates with milliseconds, clear 400s for bad bodies.
enum ControlJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// Encodes `value` as a JSON string.
    static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// A JSON response with `body`.
    static func response(_ status: HTTPResponse.Status, body: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A JSON response encoding `value`.
    static func response(_ status: HTTPResponse.Status = .ok, _ value: some Encodable) throws -> Response {
        response(status, body: try string(value))
    }

    /// The request body's bytes (already bounded by the body-limit middleware).
    static func bodyBytes(_ request: Request, context: some RequestContext) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return Array(buffer.readableBytesView)
    }

    /// Decodes a JSON body, turning every decoding problem into a 400 that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard !bytes.isEmpty else { throw HTTPError(.badRequest, message: "Request body must be a JSON object") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPError(.badRequest, message: "Missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw HTTPError(.badRequest, message: "Wrong type for field \(path(context.codingPath))")
        } catch let DecodingError.valueNotFound(_, context) {
            throw HTTPError(.badRequest, message: "Field \(path(context.codingPath)) must not be null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.isEmpty ? "" : " at \(path(context.codingPath))"
            throw HTTPError(.badRequest, message: "Malformed JSON\(field): \(context.debugDescription)")
        } catch {
            throw HTTPError(.badRequest, message: "Malformed JSON body")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
