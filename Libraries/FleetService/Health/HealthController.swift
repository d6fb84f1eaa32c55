import Hummingbird
import Logging

/// Liveness and readiness endpoints.
///
/// - `GET /health/live`: `200 {"status":"alive"}` whenever the process can answer.
/// - `GET /health/ready`: runs every ``ReadinessCheck`` concurrently; `200` with a
///   ``ReadinessReport`` when all pass, `503` naming the dependencies that are down otherwise.
///
/// ```swift
/// router.addRoutes(HealthController(checks: [.postgres(client)]).endpoints)
/// ```
public struct HealthController<Context: RequestContext>: Sendable {
    /// The checks `/health/ready` runs.
    public let checks: [ReadinessCheck]

    /// Creates a controller; with no checks, readiness equals liveness.
    public init(checks: [ReadinessCheck]) {
        self.checks = checks
    }

    /// `GET /health/live` and `GET /health/ready`, to mount with `router.addRoutes(_:)`.
    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("health/live") { _, _ in
            EditedResponse(headers: Self.noStore, response: Liveness(status: "alive"))
        }
        routes.get("health/ready") { _, context in
            let report = await self.readiness(logger: context.logger)
            return EditedResponse(
                status: report.isReady ? .ok : .serviceUnavailable,
                headers: Self.noStore,
                response: report
            )
        }
        return routes
    }

    /// Runs every check concurrently and reports the outcome.
    ///
    /// - Parameter logger: Receives a warning for each failed check, with the reason
    ///   (reasons are logged, never sent to the client).
    public func readiness(logger: Logger? = nil) async -> ReadinessReport {
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask { (check.name, await check.evaluate()) }
            }
            var results: [String: String?] = [:]
            for await (name, failure) in group {
                results[name] = .some(failure)
            }
            return results
        }
        for (name, failure) in results.sorted(by: { $0.key < $1.key }) {
            if let failure {
                logger?.warning(
                    "Readiness check failed",
                    metadata: ["check": "\(name)", "reason": "\(failure)"]
                )
            }
        }
        return ReadinessReport(results: results)
    }

    private static var noStore: HTTPFields { [.cacheControl: "no-store"] }

    private struct Liveness: ResponseEncodable {
        var status: String
    }
}
