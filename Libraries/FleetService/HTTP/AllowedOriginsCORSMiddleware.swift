import HTTPTypes
import Hummingbird

/// Cross-origin access for the pages of a fixed list of origins (``HTTPServerConfiguration/corsOrigins``), such as the
/// operator console served by fleet-tracking calling the other services with the user's bearer token.
///
/// A request from a listed origin gets Hummingbird's CORS headers (and a preflight `OPTIONS` is answered here, before
/// authentication, which a preflight never carries); any other request passes through untouched, so a page of
/// another origin is refused by the browser. Credentials (cookies) are never allowed: Fleet authenticates with bearer
/// tokens only.
public struct AllowedOriginsCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The origins allowed, exactly as browsers send them in `Origin` (`http://127.0.0.1:8081`).
    public let origins: Set<String>
    private let cors: CORSMiddleware<Context>

    /// Creates the middleware for `origins`.
    public init(origins: [String]) {
        self.origins = Set(origins)
        self.cors = CORSMiddleware(
            allowOrigin: .originBased,
            allowHeaders: [.accept, .authorization, .contentType, .origin, HTTPField.Name("Idempotency-Key")!],
            allowMethods: [.get, .post, .put, .patch, .delete, .head, .options],
            allowCredentials: false,
            exposedHeaders: ["Location", "Retry-After"],
            maxAge: .seconds(600))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            return try await next(request, context)
        }
        return try await cors.handle(request, context: context, next: next)
    }
}
