import Hummingbird

/// Query-parameter parsing shared by the controllers.
enum RequestQuery {
    /// `?limit=`: the default when absent, a 400 outside `1...max`.
    static func limit(_ request: Request, default defaultValue: Int, max: Int) throws -> Int {
        guard let raw = request.uri.queryParameters.get("limit") else { return defaultValue }
        guard let value = Int(raw), (1...max).contains(value) else {
            throw HTTPError(.badRequest, message: "limit must be an integer within 1...\(max)")
        }
        return value
    }

}
