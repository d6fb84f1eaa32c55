import CoreMetrics
import HTTPTypes
import Hummingbird
import Logging

/// Records every write (any method but GET, HEAD and OPTIONS) that reached a service, refused or not: who (the token),
/// what (`POST /v1/geofences`, the concrete path as target), the outcome (`ok`, `denied` for 401/403, `refused` for
/// other 4xx, `failed` for 5xx, with the status in `details`), when and from where.
///
/// Put it inside ``BearerAuthMiddleware`` (so the identity and client address are known) on the `/v1` group of a
/// service whose handlers do not write audit entries in their own transactions. The entry is written after the
/// response is decided; when the audit log cannot be written the request is not undone, the failure is logged and
/// counted in `fleet_audit_write_failures_total`.
public struct AuditMiddleware<Context: AuthenticatedRequestContext>: RouterMiddleware {
    let audit: any AuditRepository
    static var readOnly: Set<HTTPRequest.Method> { [.get, .head, .options] }

    public init(audit: any AuditRepository) {
        self.audit = audit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.readOnly.contains(request.method) else { return try await next(request, context) }
        let action = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
        do {
            let response = try await next(request, context)
            await record(action, request: request, context: context, status: response.status)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            await record(action, request: request, context: context, status: status)
            throw error
        }
    }

    func record(_ action: String, request: Request, context: Context, status: HTTPResponse.Status) async {
        let outcome: String
        switch status.code {
        case 200..<400: outcome = "ok"
        case 401, 403: outcome = "denied"
        case 400..<500: outcome = "refused"
        default: outcome = "failed"
        }
        do {
            try await audit.record(context.audit(action, target: request.uri.path, outcome: outcome, details: "status \(status.code)"))
        } catch {
            AuthMetrics.shared.auditWriteFailures.increment()
            context.logger.error("Audit entry not written", metadata: ["action": "\(action)", "error": "\(String(reflecting: error))"])
        }
    }
}
