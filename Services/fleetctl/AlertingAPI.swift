import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `--url` and `--token` of the fleet-alerting API (FLEET_ALERTING_URL, the login profile, or http://127.0.0.1:8083).
struct AlertingAPIOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "fleet-alerting base URL (FLEET_ALERTING_URL, or the fleetctl login profile).")
    var baseURL: String = ProcessInfo.processInfo.environment["FLEET_ALERTING_URL"] ?? FleetctlProfile.current.alertingURL ?? "http://127.0.0.1:8083"

    @Option(help: "API token (default: FLEET_TOKEN, or the one saved by fleetctl login).")
    var token: String?

    /// The client these options describe.
    var client: AlertingAPI { AlertingAPI(baseURL: baseURL, token: token ?? FleetctlProfile.token) }

    @Flag(help: "Print raw JSON responses.") var json = false
}

/// A small JSON client for the fleet-alerting API; non-2xx answers become `FleetctlError` with the server's message.
struct AlertingAPI: Sendable {
    let baseURL: String
    var token: String?

    /// Sends a request and returns the parsed JSON body (`nil` for an empty body).
    @discardableResult
    func call(_ method: String, _ path: String, body: Any? = nil) async throws -> Any? {
        var request = HTTPClientRequest(url: baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: [UInt8](try JSONSerialization.data(withJSONObject: body))))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw FleetctlError("cannot reach fleet-alerting at \(baseURL): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let data = Data(bytes.readableBytesView)
        let parsed = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        guard (200..<300).contains(response.status.code) else {
            let message = ((parsed as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
            throw FleetctlError("\(method) \(path): HTTP \(response.status.code): \(message ?? String(decoding: data, as: UTF8.self))")
        }
        return parsed
    }

    /// Pretty JSON text of a value.
    static func pretty(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The string at `key`, or `-`.
    func text(_ key: String) -> String {
        switch self[key] {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: "-"
        }
    }
}
