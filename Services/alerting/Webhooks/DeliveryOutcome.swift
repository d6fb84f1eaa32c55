import Foundation

/// How one attempt of a claimed delivery ended; the dispatcher records many at once with
/// ``WebhookRepository/record(_:)``.
struct DeliveryOutcome: Sendable, Equatable {
    enum Result: Sendable, Equatable {
        /// The receiver answered 2xx.
        case delivered(statusCode: Int)
        /// The attempt failed and will be retried: pending again at `retryAt`.
        case failed(statusCode: Int?, error: String, retryAt: Date)
        /// The attempt failed for good (retries exhausted, destination refused, unusable secret): a dead letter.
        case dead(statusCode: Int?, error: String)
        /// Not attempted because the endpoint's circuit is open: pending again at `retryAt`, the attempt not counted.
        case released(retryAt: Date)
    }

    /// The delivery (its `webhook-id`).
    var id: String
    var result: Result
}
