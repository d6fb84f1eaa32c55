import Hummingbird
import NIOCore

/// Rejects request bodies larger than a limit with `413 Content Too Large`.
///
/// Requests announcing a larger `Content-Length` are rejected before any byte is read;
/// other bodies are collected up to the limit, so handlers further down receive an
/// in-memory body. That suits JSON APIs; do not put it in front of streaming upload routes.
public struct RequestBodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest accepted body, in bytes.
    public let maxBytes: Int

    /// Creates the middleware; see ``HTTPServerConfiguration/maxBodyBytes``.
    public init(maxBytes: Int) {
        precondition(maxBytes > 0, "maxBytes must be positive")
        self.maxBytes = maxBytes
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw tooLarge
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        return try await next(request, context)
    }

    private var tooLarge: HTTPError {
        HTTPError(.contentTooLarge, message: "Request body exceeds \(maxBytes) bytes")
    }
}
