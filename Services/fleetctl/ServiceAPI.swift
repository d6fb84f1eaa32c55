import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A JSON client for a service's API other than fleet-control's (fleet-health, fleet-routing).
///
/// Failures carry the exit codes of the control-API subcommands: unreachable 3, 401/403 4, 404 5, 400/409/422/429 6
/// (with the service's `error.message`), anything else 1.
struct ServiceAPI: Sendable {
    /// One answered request: the parsed object and the exact bytes the service sent.
    struct Reply: Sendable {
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    /// The service's name, for messages.
    let service: String
    let baseURL: String
    var token: String?
    /// Seconds to wait for each response.
    var timeout: Double = 30

    /// `GET path` (path and query already percent-encoded); a non-2xx answer throws a ``ControlCLIError``.
    func get(_ path: String) async throws -> Reply {
        try await send(.GET, path, body: nil)
    }

    /// `POST path` with a JSON `body`; a non-2xx answer throws a ``ControlCLIError``.
    func post(_ path: String, body: [UInt8]) async throws -> Reply {
        try await send(.POST, path, body: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> Reply {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            // The control client's pool: a refused connection fails at once instead of retrying until the deadline.
            response = try await ControlClient.defaultHTTPClient.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch {
            throw ControlCLIError(code: .unreachable, message: "cannot reach \(service) at \(baseURL): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let reply = Reply(body: Array(bytes.readableBytesView))
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let message = ((reply.object["error"] as? [String: Any])?["message"] as? String) ?? reply.text
            let code: ControlExitCode =
                switch status {
                case 401, 403: .unauthorized
                case 404: .notFound
                case 400, 409, 422, 429: .refused
                default: .failed
                }
            throw ControlCLIError(code: code, message: "\(status): \(message)")
        }
        return reply
    }

    /// The `items` of `path?query`: one page starting at `after`, or with `all` every page, following `next_after`
    /// until the service gives none. Returns the items and the cursor of the page after them (nil when there is none).
    func items(_ path: String, query: [String], after: String?, all: Bool) async throws -> (items: [[String: Any]], nextAfter: String?) {
        var items: [[String: Any]] = []
        var cursor = after
        var seen = Set<String>()
        repeat {
            let parameters = query + (cursor.map { ["after=\($0.urlComponent)"] } ?? [])
            let page = try await get(parameters.isEmpty ? path : path + "?" + parameters.joined(separator: "&")).object
            items += page["items"] as? [[String: Any]] ?? []
            cursor = page["next_after"] as? String
            // A cursor seen before would page forever: stop rather than loop.
            if let next = cursor, !seen.insert(next).inserted {
                throw ControlCLIError(code: .failed, message: "\(service) at \(baseURL) returned the cursor \(next) twice")
            }
        } while all && cursor != nil
        return (items, cursor)
    }

    /// `{"items": items, "next_after": cursor}` as compact JSON with sorted keys (the `-o json` output of a listing).
    static func json(items: [[String: Any]], nextAfter: String?) throws -> String {
        var page: [String: Any] = ["items": items]
        if let nextAfter { page["next_after"] = nextAfter }
        return String(decoding: try JSONSerialization.data(withJSONObject: page, options: [.sortedKeys]), as: UTF8.self)
    }
}

extension ServiceAPI {
    /// Runs `body`, turning a ``ControlCLIError`` into its message on stderr and its exit code (3, 4, 5, 6 or 1): what
    /// every command over this client does.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ControlCLIError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(error.code.rawValue)
        }
    }
}
