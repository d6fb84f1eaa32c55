import FleetTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

// Runs the built `fleetctl` and `fleet-control` executables as child processes, as an operator would.
// Nothing here links the code of either executable: the tests see only exit statuses, stdout and stderr.

/// The exit statuses of fleetctl's control-API subcommands as documented in `fleetctl --help` (Fleetctl.swift),
/// `ControlExitCode` (ControlClient.swift) and README.md ("Pausing and resuming vehicles").
enum FleetctlExit {
    static let success: Int32 = 0
    /// A command ended rejected, failed or expired, or another failure.
    static let failed: Int32 = 1
    /// Invalid usage (ArgumentParser).
    static let usage: Int32 = 2
    /// The API could not be reached.
    static let unreachable: Int32 = 3
    /// 401 or 403.
    static let unauthorized: Int32 = 4
    /// 404: unknown vehicle, command or token, or an empty selection.
    static let notFound: Int32 = 5
    /// 400, 409, 422 or 429.
    static let refused: Int32 = 6
    /// `--wait` / `--timeout` ended before every command was answered.
    static let timedOut: Int32 = 7
}

/// A failure of the test harness itself (a missing executable, a service that did not start, …).
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Locating the built products

/// Where `swift build` put the executables: next to the running test executable (`.build/<triple>/debug/
/// fleetPackageTests.xctest` on Linux), or in `.build/…/debug` of the package this file belongs to.
enum BuildProducts {
    /// The package root (this file is `Tests/FleetctlTests/FleetctlProcess.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Directories searched, most specific first. `FLEET_TEST_PRODUCTS_DIR` overrides them all.
    static var searchDirectories: [URL] {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["FLEET_TEST_PRODUCTS_DIR"], !override.isEmpty {
            directories.append(URL(fileURLWithPath: override))
        }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first, !first.isEmpty {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // The main bundle's directory (on Linux that of the test executable). `Bundle.allBundles` is not implemented by
        // swift-corelibs-foundation, so an `.xctest` bundle elsewhere is not looked for.
        let bundle = Bundle.main.bundleURL.resolvingSymlinksInPath()
        directories.append(bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle)
        let build = packageRoot.appendingPathComponent(".build")
        directories.append(build.appendingPathComponent("debug"))
        if let triples = try? FileManager.default.contentsOfDirectory(atPath: build.path) {
            for triple in triples.sorted() where triple.contains("-") {
                directories.append(build.appendingPathComponent(triple).appendingPathComponent("debug"))
            }
        }
        var seen = Set<String>()
        return directories.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The path of the executable product `name`, or an error naming every directory searched.
    static func executable(named name: String) throws -> String {
        for directory in searchDirectories {
            let path = directory.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: path)
            {
                return path
            }
        }
        throw HarnessError(
            "executable product \(name) not found (build it: swift build --product \(name), or swift build --build-tests); searched "
                + searchDirectories.map(\.path).joined(separator: ", ")
        )
    }
}

// MARK: - Child processes

/// One finished fleetctl invocation.
struct FleetctlResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    /// The exit status; nil when the process was killed by a signal.
    var exitCode: Int32?
    var signal: Int32?
    var stdout: String
    var stderr: String
    var elapsed: Duration

    var description: String {
        let outcome = exitCode.map { "exit \($0)" } ?? "signal \(signal ?? -1)"
        return "fleetctl \(arguments.map(Self.quoted).joined(separator: " ")) → \(outcome) after \(elapsed)\n"
            + "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }

    private static func quoted(_ argument: String) -> String {
        argument.contains(where: { " \"'{}".contains($0) }) ? "'\(argument)'" : argument
    }

    /// stdout as one JSON object (the `-o json` output).
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw HarnessError("stdout is not a JSON object:\n\(self)")
        }
        return object
    }

    /// stdout decoded as `T` (the `-o json` output).
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(stdout.utf8))
    }

    /// stdout split into blocks at empty lines (e.g. a command's table, then its transitions' table).
    var blocks: [String] {
        stdout.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
    }
}

enum Fleetctl {
    /// Runs `fleetctl arguments` to completion with the current environment minus `FLEET_*`, plus `environment`.
    /// A run longer than `timeout` is killed and recorded as an issue.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws -> FleetctlResult {
        let executable = try BuildProducts.executable(named: "fleetctl")
        let directory = try ChildProcess.temporaryDirectory("fleetctl-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutFile = directory.appendingPathComponent("stdout")
        let stderrFile = directory.appendingPathComponent("stderr")
        var variables = ChildProcess.cleanEnvironment()
        // A login profile of whoever runs the tests is never read: each run has its own (absent) one.
        variables["FLEET_CONFIG"] = directory.appendingPathComponent("fleetctl.json").path
        variables.merge(environment) { $1 }

        let clock = ContinuousClock()
        let start = clock.now
        let pid = try ChildProcess.spawn(executable, arguments, environment: variables, stdoutPath: stdoutFile.path, stderrPath: stderrFile.path)
        var state = ChildProcess.State.running
        while true {
            state = ChildProcess.state(pid)
            guard state == .running else { break }
            if clock.now - start > timeout {
                Issue.record("fleetctl \(arguments.joined(separator: " ")) did not finish within \(timeout); killed")
                kill(pid, SIGKILL)
                state = ChildProcess.state(pid, block: true)
                break
            }
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                kill(pid, SIGKILL)
                _ = ChildProcess.state(pid, block: true)
                throw error
            }
        }
        let elapsed = clock.now - start
        let stdout = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        switch state {
        case .exited(let code):
            return FleetctlResult(arguments: arguments, exitCode: code, signal: nil, stdout: stdout, stderr: stderr, elapsed: elapsed)
        case .signaled(let signal):
            return FleetctlResult(arguments: arguments, exitCode: nil, signal: signal, stdout: stdout, stderr: stderr, elapsed: elapsed)
        case .running, .gone:
            throw HarnessError("lost track of fleetctl \(arguments.joined(separator: " ")) (pid \(pid))")
        }
    }

    /// A loopback URL on which nothing listens (a port the kernel just handed out and nobody bound).
    static func closedURL() throws -> String {
        let port = try TestBroker.freePort()
        return "http://127.0.0.1:\(port)"
    }
}

// MARK: - Tables

/// A table as fleetctl's `TableOutput.print` renders it: a header line, then one line per row, each cell starting in
/// the column where its header starts (cells padded to the widest, two spaces between columns).
struct RenderedTable: CustomStringConvertible {
    let columns: [String]
    let rows: [[String: String]]
    let description: String

    /// Parses `text`; throws when a header is missing or a row's cells do not start at their header's column.
    init(_ text: String, columns: [String]) throws {
        description = text
        self.columns = columns
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0) }
        guard let header = lines.first else { throw HarnessError("empty table, expected columns \(columns)") }
        var starts: [Int] = []
        var from = 0
        for name in columns {
            guard let start = Self.find(Array(name), in: header, from: from) else {
                throw HarnessError("table header \"\(String(header))\" has no column \(name) (after offset \(from))")
            }
            starts.append(start)
            from = start + name.count
        }
        guard starts.first == 0 else { throw HarnessError("table header \"\(String(header))\" does not start with \(columns.first ?? "")") }
        var rows: [[String: String]] = []
        for line in lines.dropFirst() {
            var row: [String: String] = [:]
            for (index, name) in columns.enumerated() {
                let start = starts[index]
                guard start < line.count, line[start] != " ", index == 0 || line[start - 1] == " " else {
                    throw HarnessError("row \"\(String(line))\" has no cell starting under column \(name) (offset \(start))")
                }
                let end = index + 1 < starts.count ? min(starts[index + 1], line.count) : line.count
                row[name] = String(line[start..<end]).trimmingCharacters(in: .whitespaces)
            }
            rows.append(row)
        }
        self.rows = rows
    }

    /// The row whose `column` is `value`.
    func row(_ column: String, _ value: String) -> [String: String]? {
        rows.first { $0[column] == value }
    }

    private static func find(_ needle: [Character], in haystack: [Character], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = from
        while index + needle.count <= haystack.count {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}

// MARK: - A tiny HTTP client (readiness and set-up only; the behaviour under test goes through fleetctl)

enum LoopbackHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// A peer that closes early must give EPIPE, not kill the test process (NIO does the same on Linux).
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// `GET path` on 127.0.0.1:`port` (HTTP/1.1, `Connection: close`); nil when nothing answers within 2 seconds.
    /// Blocking: fine on loopback.
    static func get(port: Int, path: String, token: String? = nil) -> Reply? {
        request("GET", port: port, path: path, token: token, body: nil)
    }

    /// `POST path` with a JSON `body`; nil when nothing answers within 2 seconds.
    static func post(port: Int, path: String, token: String? = nil, body: String) -> Reply? {
        request("POST", port: port, path: path, token: token, body: body)
    }

    static func request(_ method: String, port: Int, path: String, token: String?, body: String?) -> Reply? {
        _ = ignoreSIGPIPE
        guard let fd = TestBroker.connectedSocket(port: port) else { return nil }
        defer { close(fd) }

        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n"
        if let body { request += body }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0, errno == EINTR { continue }
            guard ready >= 0 else { return nil }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else { return nil }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Reply(status: status, body: body)
    }
}

// MARK: - fleet-control

/// A real `fleet-control` process on a free loopback port, with its own PostgreSQL schema and a test broker.
final class FleetControlService: Sendable {
    /// The bootstrap admin token (FLEET_CONTROL_ADMIN_TOKEN); fleet-control stores it as `tok_bootstrap_admin`.
    static let adminToken = "fleetctl-test-admin-token-0123456789abcdef"
    static let adminTokenID = "tok_bootstrap_admin"

    let port: Int
    let schema: String
    let broker: TestBroker
    let directory: URL
    private let pid: Mutex<pid_t?>

    /// The base URL for `--api`.
    var url: String { "http://127.0.0.1:\(port)" }
    var logFile: URL { directory.appendingPathComponent("fleet-control.log") }
    /// Everything the service wrote to stdout and stderr.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    var logTail: String { String(log.suffix(6_000)) }

    private init(port: Int, schema: String, broker: TestBroker, directory: URL, pid: pid_t) {
        self.port = port
        self.schema = schema
        self.broker = broker
        self.directory = directory
        self.pid = Mutex<pid_t?>(pid)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The service's environment: only 127.0.0.1, the test broker, the test schema, fast scans and resends, and the
    /// FLEET_POSTGRES_* settings of the test run; `overrides` win.
    static func environment(port: Int, broker: TestBroker, schema: String, overrides: [String: String], service: String = "fleet-control") -> [String: String] {
        var variables = ChildProcess.cleanEnvironment { $0.hasPrefix("FLEET_POSTGRES_") }
        var settings: [String: String] = [
            "FLEET_HTTP_HOST": "127.0.0.1",
            "FLEET_HTTP_PORT": "\(port)",
            "FLEET_MQTT_HOST": "127.0.0.1",
            "FLEET_MQTT_PORT": "\(broker.port)",
            "FLEET_MQTT_CLIENT_ID": "fleet-control-fleetctl-test-\(UUID().uuidString.prefix(8))",
            "FLEET_MQTT_SESSION_EXPIRY_SECONDS": "60",
            "FLEET_POSTGRES_POOL_SIZE": "4",
            "FLEET_POSTGRES_CONNECT_TIMEOUT_SECONDS": "5",
            "FLEET_CONTROL_SCHEMA": schema,
            "FLEET_CONTROL_ADMIN_TOKEN": adminToken,
            "FLEET_CONTROL_SCAN_INTERVAL_MS": "50",
            "FLEET_CONTROL_RESEND_INITIAL_MS": "300",
            "FLEET_CONTROL_TRACK_POSITIONS": "0",
            "FLEET_LOG_LEVEL": "info",
            "FLEET_LOG_FORMAT": "text",
        ]
        if service != "fleet-control" {
            // Another service of the suite: its own schema and client id; the control settings are ignored by it.
            let name = service.replacingOccurrences(of: "fleet-", with: "").uppercased()
            settings["FLEET_\(name)_SCHEMA"] = schema
            settings["FLEET_MQTT_CLIENT_ID"] = "\(service)-fleetctl-test-\(UUID().uuidString.prefix(8))"
        }
        variables.merge(settings) { $1 }
        variables.merge(overrides) { $1 }
        return variables
    }

    /// Starts fleet-control and waits until `/health/ready` answers 200 (database migrated, broker connected). The
    /// free port can be taken before the service binds it: then it starts again on another one, up to three times.
    /// `service` names another executable of the suite (`fleet-tracking`, `fleet-alerting`) to run it the same way.
    static func start(
        broker: TestBroker, schema: String, environment overrides: [String: String] = [:], service: String = "fleet-control"
    ) async throws -> FleetControlService {
        let executable = try BuildProducts.executable(named: service)
        for attempt in 1...3 {
            let port = try TestBroker.freePort()
            let directory = try ChildProcess.temporaryDirectory("fleet-control")
            let pid = try ChildProcess.spawn(
                executable, [], environment: environment(port: port, broker: broker, schema: schema, overrides: overrides, service: service),
                stdoutPath: directory.appendingPathComponent("fleet-control.log").path, stderrPath: nil
            )
            let service = FleetControlService(port: port, schema: schema, broker: broker, directory: directory, pid: pid)
            do {
                try await service.waitUntilReady(timeout: .seconds(30))
                return service
            } catch where attempt < 3 && service.log.contains("Address already in use") {
                service.stop()
            } catch {
                service.stop()
                throw error
            }
        }
        throw HarnessError("fleet-control could not bind a free port in three attempts")
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let child = pid.withLock({ $0 }) {
                let state = ChildProcess.state(child)
                if state != .running {
                    pid.withLock { $0 = nil }
                    throw HarnessError("fleet-control ended before it was ready (\(state)):\n\(logTail)")
                }
            }
            if LoopbackHTTP.get(port: port, path: "/health/ready")?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("fleet-control was not ready within \(timeout):\n\(logTail)")
    }

    /// SIGTERM and wait (SIGKILL after 10 s). Safe to call twice.
    func stop() {
        guard let child = pid.withLock({ value -> pid_t? in defer { value = nil }; return value }) else { return }
        ChildProcess.terminate(child)
    }

    enum Credential: Sendable {
        /// The bootstrap admin token.
        case admin
        /// No `--token` (and no FLEET_CONTROL_TOKEN).
        case none
        case token(String)
    }

    /// Runs `fleetctl arguments --api <this service> [--token …]`.
    func fleetctl(_ arguments: String..., credential: Credential = .admin, environment: [String: String] = [:]) async throws -> FleetctlResult {
        var all = arguments + ["--api", url]
        switch credential {
        case .admin: all += ["--token", Self.adminToken]
        case .none: break
        case .token(let token): all += ["--token", token]
        }
        return try await Fleetctl.run(all, environment: environment)
    }

    // MARK: Vehicles on the broker (set-up through `fleetctl mqtt pub`, as the README's walk-through does)

    static func millis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Publishes `message` on the test broker with `fleetctl mqtt pub` (QoS 1: returns once the broker has it).
    func publish(_ topic: String, _ message: String, retain: Bool = false) async throws {
        var arguments = ["mqtt", "pub", "--host", "127.0.0.1", "--port", "\(broker.port)", "-t", topic, "-q", "1", "-m", message]
        if retain { arguments.append("--retain") }
        let result = try await Fleetctl.run(arguments)
        guard result.exitCode == FleetctlExit.success else { throw HarnessError("publishing on \(topic) failed:\n\(result)") }
    }

    /// Announces `vehicle` with a retained state, as a vehicle (or its last will) does, and waits until fleet-control
    /// lists it with that connectivity.
    func announce(_ vehicle: String, connectivity: String = "online", status: String = "moving") async throws {
        let state = #"{"v":1,"vehicle_id":"\#(vehicle)","connectivity":"\#(connectivity)","last_seen_ms":\#(Self.millis()),"status":"\#(status)"}"#
        try await publish("fleet/v1/vehicles/\(vehicle)/state", state, retain: true)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let reply = LoopbackHTTP.get(port: port, path: "/v1/vehicles/\(vehicle)", token: Self.adminToken), reply.status == 200,
                reply.json["connectivity"] as? String == connectivity
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("fleet-control never listed \(vehicle) as \(connectivity):\n\(logTail)")
    }

    /// Publishes the vehicle's acknowledgement of `command` (`accepted`, `rejected`, `completed` or `failed`).
    func acknowledge(_ command: String, vehicle: String, status: String, reason: String? = nil) async throws {
        let reasonField = reason.map { #","reason":"\#($0)""# } ?? ""
        let ack = #"{"v":1,"command_id":"\#(command)","vehicle_id":"\#(vehicle)","status":"\#(status)"\#(reasonField),"at_ms":\#(Self.millis())}"#
        try await publish("fleet/v1/vehicles/\(vehicle)/commands/ack", ack)
    }
}

/// Runs `body` against a fresh fleet-control (own broker, own schema, dropped afterwards) and stops the service at
/// the end, also when `body` throws. A thrown error carries the tail of the service's log.
func withFleetControl(environment: [String: String] = [:], _ body: (FleetControlService) async throws -> Void) async throws {
    let broker = try TestBroker(persistence: false)
    try await TestPostgres.withSchema(poolSize: 1) { _, schema in
        let service = try await FleetControlService.start(broker: broker, schema: schema, environment: environment)
        do {
            try await body(service)
        } catch {
            service.stop()
            throw HarnessError("\(error)\n--- fleet-control log (tail) ---\n\(service.logTail)")
        }
        service.stop()
    }
    withExtendedLifetime(broker) {}
}
