import Hummingbird
import Logging

/// Turns every error thrown further down the chain into a JSON ``ErrorResponse``.
///
/// - `HTTPError`: its status, headers and message (the reason phrase if it has none).
/// - Other `HTTPResponseError`s (for example "payload too large" from NIO): their status and
///   reason phrase.
/// - Anything else: `500 Internal Server Error`; the error itself is logged, never sent.
///
/// Add it before your routes and after ``MetricsMiddleware`` so metrics see the final status.
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if error.status.kind == .serverError {
                context.logger.error("Request failed", metadata: ["error": "\(error)"])
            }
            let message = error.body ?? error.status.reasonPhrase
            return try Self.response(status: error.status, message: message, headers: error.headers, request: request, context: context)
        } catch let error as any HTTPResponseError {
            if error.status.kind == .serverError {
                context.logger.error("Request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try Self.response(status: error.status, message: error.status.reasonPhrase, headers: [:], request: request, context: context)
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return try Self.response(
                status: .internalServerError,
                message: HTTPResponse.Status.internalServerError.reasonPhrase,
                headers: [:],
                request: request,
                context: context
            )
        }
    }

    private static func response(
        status: HTTPResponse.Status,
        message: String,
        headers: HTTPFields,
        request: Request,
        context: Context
    ) throws -> Response {
        var headers = headers
        headers[.contentType] = nil
        headers[.contentLength] = nil
        return try EditedResponse(
            status: status,
            headers: headers,
            response: ErrorResponse(status: status.code, message: message)
        ).response(from: request, context: context)
    }
}
