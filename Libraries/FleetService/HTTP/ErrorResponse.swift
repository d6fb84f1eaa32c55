import Hummingbird

/// The JSON body of every error a Fleet service returns.
///
/// ```json
/// {"error":{"status":404,"message":"No vehicle with id 42"}}
/// ```
public struct ErrorResponse: ResponseCodable, Sendable, Equatable {
    /// The error details.
    public struct Details: Codable, Sendable, Equatable {
        /// HTTP status code, repeated for clients that only see the body.
        public var status: Int
        /// Human-readable explanation; never contains internal error details for 5xx.
        public var message: String
    }

    /// The error details.
    public var error: Details

    /// Creates a body for `status` with `message`.
    public init(status: Int, message: String) {
        self.error = Details(status: status, message: message)
    }
}
