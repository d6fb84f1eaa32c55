import ArgumentParser
import FleetWebhooks
import Foundation

/// `fleetctl webhooks receive`: a demo receiver that prints each delivery and checks its signature.
struct WebhooksReceive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Run a demo webhook receiver that prints each delivery and verifies its signature.",
        discussion: "Point a subscription at http://HOST:PORT/ (any path). Without --secret signatures are shown but not checked."
    )

    @Option(help: "Port to listen on.") var port = 9099
    @Option(help: "Interface to bind.") var host = "127.0.0.1"
    @Option(name: .customLong("secret"), help: "The subscription's whsec_ secret (default: FLEET_WEBHOOK_SECRET).")
    var secretFlag: String?

    private var secret: String? { secretFlag ?? ProcessInfo.processInfo.environment["FLEET_WEBHOOK_SECRET"] }

    func run() async throws {
        let verifier = try secret.map { secret in
            guard let verifier = WebhookSignature(secret: secret) else { throw FleetctlError("--secret must look like whsec_<base64>") }
            return verifier
        }
        emit("receiving webhooks on http://\(host):\(port)/ (signature check: \(verifier == nil ? "off" : "on"))")
        let server = WebhookReceiver(host: host, port: port, keepsDeliveries: false) { delivery in
            let check: String
            if let verifier {
                check = verifier.verify(id: delivery.id, timestamp: delivery.timestamp, body: delivery.bytes, header: delivery.signature)
                    ? "signature OK" : "SIGNATURE INVALID"
            } else {
                check = "signature not checked"
            }
            emit("\(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))) webhook-id=\(delivery.id) \(check)")
            emit(delivery.body)
        }
        try await server.serve {
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3_600)) }
        }
    }
}
