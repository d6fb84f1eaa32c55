import AsyncHTTPClient
import ServiceLifecycle

/// Owns an HTTP client and shuts it down after the services that use it (list it before them).
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
