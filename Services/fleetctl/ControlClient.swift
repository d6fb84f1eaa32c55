import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Exit codes of the control-API subcommands, documented in `fleetctl --help` and the README.
enum ControlExitCode: Int32 {
    /// A command ended `rejected`, `failed` or `expired`, or another failure.
    case failed = 1
    /// Invalid usage (ArgumentParser's validation errors, mapped by ``Fleetctl/main()``).
    case usage = 2
    /// The API could not be reached.
    case unreachable = 3
    /// 401 or 403: missing, invalid or revoked token, or a missing scope.
    case unauthorized = 4
    /// 404: unknown vehicle, command or token, or an empty selection.
    case notFound = 5
    /// 400, 409, 422 or 429: the API refused the request.
    case refused = 6
    /// `--wait` ended before every command was answered.
    case timedOut = 7
}

/// A failure with its exit code; printed as `error: <message>` on stderr.
struct ControlCLIError: Error, CustomStringConvertible {
    var code: ControlExitCode
    var message: String
    var description: String { message }
}

/// `--api`, `--token`, `--output`: where and how to talk to fleet-control.
struct ControlOptions: ParsableArguments, Sendable {
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table
        case json
    }

    private static let environment = ProcessInfo.processInfo.environment

    @Option(help: "fleet-control base URL (default: FLEET_CONTROL_URL, the fleetctl login profile, or http://127.0.0.1:8082).")
    var api: String = environment["FLEET_CONTROL_URL"] ?? FleetctlProfile.current.controlURL ?? "http://127.0.0.1:8082"

    @Option(help: "API token (default: FLEET_TOKEN, FLEET_CONTROL_TOKEN, or the one saved by fleetctl login).")
    var token: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: table or json.")
    var output: Output = .table

    @Option(help: "Seconds to wait for each HTTP response.")
    var requestTimeout: Double = 30

    var resolvedToken: String? { token ?? FleetctlProfile.token }

    /// Runs `body`, turning a ``ControlCLIError`` into its message on stderr and its exit code.
    func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ControlCLIError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(error.code.rawValue)
        }
    }
}

/// A thin JSON client for the control API on AsyncHTTPClient.
struct ControlClient: Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var headers: HTTPHeaders
        var text: String { String(decoding: body, as: UTF8.self) }
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    let options: ControlOptions
    /// The HTTP client; the process-wide one unless a benchmark brings a larger pool.
    var http: HTTPClient = ControlClient.defaultHTTPClient

    /// A refused connection fails at once (exit 3 without waiting for `--request-timeout`): with AsyncHTTPClient's
    /// default the pool keeps retrying the connection until the request's deadline. Lives as long as the process.
    static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends a request; non-2xx answers become a ``ControlCLIError`` with the API's message and the matching exit code.
    /// `timeout` (seconds) replaces `--request-timeout` for a request the server may hold longer (a long-poll).
    func send(
        _ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, headers extra: [(String, String)] = [], timeout: Double? = nil
    ) async throws -> Reply {
        let base = options.api.hasSuffix("/") ? String(options.api.dropLast()) : options.api
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token = options.resolvedToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            // Sorted keys: a retry with the same Idempotency-Key must send the same bytes, whatever process sends it.
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64((timeout ?? options.requestTimeout) * 1000)))
        } catch {
            throw ControlCLIError(code: .unreachable, message: "cannot reach fleet-control at \(options.api): \(error)")
        }
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let reply = Reply(status: Int(response.status.code), body: Array(body.readableBytesView), headers: response.headers)
        guard (200..<300).contains(reply.status) else {
            let message = ((reply.object["error"] as? [String: Any])?["message"] as? String) ?? reply.text
            let code: ControlExitCode =
                switch reply.status {
                case 401, 403: .unauthorized
                case 404: .notFound
                case 400, 409, 422, 429: .refused
                default: .failed
                }
            throw ControlCLIError(code: code, message: "\(reply.status): \(message)")
        }
        return reply
    }
}

/// Plain-text tables for `--output table`.
enum TableOutput {
    /// Prints `rows` under `headers`, columns padded to their widest cell.
    static func print(_ headers: [String], _ rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        emit(line(headers))
        for row in rows { emit(line(row)) }
    }

    /// A JSON value as a table cell.
    static func cell(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "-"
        case let string as String: string
        case let array as [Any]: array.isEmpty ? "-" : array.map { cell($0) }.joined(separator: ",")
        case let number as NSNumber:
            // JSON booleans arrive as NSNumbers of type "c"; every other number prints as itself.
            String(cString: number.objCType) == "c" ? (number.boolValue ? "true" : "false") : "\(number)"
        default: "\(value!)"
        }
    }
}
