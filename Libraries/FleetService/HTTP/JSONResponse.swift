import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON out of an API: snake_case DTOs, ISO 8601 dates with milliseconds, sorted keys. (Request bodies: `JSONBody`.)
public enum JSONResponse {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// Encodes `value` as a JSON string.
    public static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// A JSON response with `body`.
    public static func response(_ status: HTTPResponse.Status, body: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A JSON response encoding `value`.
    public static func response(_ status: HTTPResponse.Status = .ok, _ value: some Encodable) throws -> Response {
        response(status, body: try string(value))
    }
}
