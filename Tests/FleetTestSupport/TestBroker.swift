import Foundation
import Glibc
import Synchronization

/// A real Mosquitto process on a free loopback port, owned by one test.
public final class TestBroker: Sendable {
    /// The broker's port; chosen at start, kept across ``restart(downtime:)``.
    public var port: Int { chosenPort.withLock { $0 } }
    public let directory: URL
    private let chosenPort = Mutex(0)
    private let pid = Mutex<pid_t?>(nil)

    /// Starts `mosquitto` with a minimal anonymous configuration plus the given extra lines.
    public convenience init(extraConfiguration: [String] = [], persistence: Bool = true) throws {
        try self.init { port, directory in
            var lines = Self.baseConfiguration(port: port, directory: directory) + ["allow_anonymous true"]
            if persistence {
                lines += ["persistence true", "persistence_location \(directory.path)/", "autosave_interval 1"]
            }
            return (lines + extraConfiguration).joined(separator: "\n") + "\n"
        }
    }

    /// The lines every test broker has: the loopback listener, a log in `directory`, unlimited queues, and (when run as
    /// root) `user root`, since mosquitto would otherwise drop to the `mosquitto` user, which cannot write there.
    public static func baseConfiguration(port: Int, directory: URL) -> [String] {
        var lines = [
            "listener \(port) 127.0.0.1",
            "log_dest file \(directory.path)/mosquitto.log",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "max_queued_messages 0",
        ]
        if geteuid() == 0 { lines.append("user root") }
        return lines
    }

    /// Starts `mosquitto` with the configuration text `render(port, directory)` returns.
    ///
    /// The free port can be taken by another process before the broker binds it (tests run in parallel); then the
    /// broker is started again on another port, up to three times.
    public init(render: (Int, URL) throws -> String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-mqtt-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for attempt in 1...3 {
            let port = try Self.freePort()
            chosenPort.withLock { $0 = port }
            try render(port, directory).write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
            do {
                try start()
                return
            } catch where attempt < 3 && log.contains("Address already in use") {
                stop()
                try? FileManager.default.removeItem(at: directory.appendingPathComponent("mosquitto.log"))
            }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    public static var executable: String {
        for candidate in ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "mosquitto"
    }

    /// Spawns the broker (``ChildProcess``): it must not inherit our stdout/stderr, since a pipe held open by it would
    /// outlive the test.
    public func start() throws {
        let child = try ChildProcess.spawn(
            Self.executable, ["-c", directory.appendingPathComponent("mosquitto.conf").path],
            environment: ProcessInfo.processInfo.environment, stdoutPath: "/dev/null", stderrPath: "/dev/null")
        pid.withLock { $0 = child }
        try waitForPort(open: true)
    }

    /// Runs a helper program (e.g. `mosquitto_passwd`) to completion and returns its exit status.
    public static func runTool(_ name: String, _ arguments: [String]) throws -> Int32 {
        let path = ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? name
        var cArguments = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, path, nil, nil, &cArguments, environ)
        guard rc == 0 else { throw NSError(domain: "TestBroker", code: Int(rc)) }
        var status: Int32 = 0
        _ = waitpid(child, &status, 0)
        return (status >> 8) & 0xff
    }

    /// SIGTERM, so the broker saves its persistence file, then waits for the process to exit.
    public func stop() {
        guard let child = pid.withLock({ s -> pid_t? in defer { s = nil }; return s }) else { return }
        kill(child, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(child, &status, 0)
    }

    public func restart(downtime: Duration = .milliseconds(500)) async throws {
        stop()
        try await Task.sleep(for: downtime)
        try start()
    }

    public var log: String { (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? "" }

    private func waitForPort(open: Bool) throws {
        for _ in 0..<200 {
            if Self.canConnect(port: port) == open { return }
            usleep(25_000)
        }
        throw NSError(domain: "TestBroker", code: 1, userInfo: [NSLocalizedDescriptionKey: "mosquitto did not start on port \(port):\n\(log)"])
    }

    public static func canConnect(port: Int) -> Bool {
        guard let fd = connectedSocket(port: port) else { return false }
        close(fd)
        return true
    }

    /// A TCP socket connected to 127.0.0.1:`port` (the caller closes it), or nil when nothing accepts there.
    public static func connectedSocket(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Asks the kernel for a free loopback port.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw NSError(domain: "TestBroker", code: 2) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

