import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}

/// posix_spawn and waitpid: Foundation's `Process.waitUntilExit` spins on Linux test hosts (see TestBroker).
public enum ChildProcess {
    public enum State: Sendable, Equatable {
        case running
        /// Exited normally with this status.
        case exited(Int32)
        /// Killed by this signal.
        case signaled(Int32)
        /// Not (or no longer) a child of this process.
        case gone
    }

    /// Starts `executable` with exactly `environment`; stdin is /dev/null, stdout goes to `stdoutPath`, stderr to
    /// `stderrPath` (or to stdout when nil). The child gets an empty signal mask and default handlers: test threads
    /// block signals and a spawned process inherits the mask, so without this a service would ignore SIGTERM.
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], stdoutPath: String, stderrPath: String?) throws -> pid_t {
        var argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var child: pid_t = 0
        let rc = posix_spawnp(&child, executable, &actions, &attributes, &argv, &envp)
        guard rc == 0 else { throw ChildProcessError(description: "could not start \(executable): \(String(cString: strerror(rc)))") }
        return child
    }

    /// The child's state; reaps it once it has ended. `block` waits for the end.
    public static func state(_ pid: pid_t, block: Bool = false) -> State {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, block ? 0 : WNOHANG)
            if rc == 0 { return .running }
            if rc == pid {
                let signal = status & 0x7f
                return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            }
            if errno == EINTR { continue }
            return .gone
        }
    }

    /// SIGTERM, up to `grace` for the child to end, then SIGKILL. Synchronous on purpose: it also runs when the test
    /// was cancelled, where `Task.sleep` would return at once.
    @discardableResult
    public static func terminate(_ pid: pid_t, grace: Duration = .seconds(10)) -> State {
        let initial = state(pid)
        if initial != .running { return initial }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            let current = state(pid)
            if current != .running { return current }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        return state(pid, block: true)
    }

    /// The current environment without any `FLEET_*` variable (the developer's stack settings, e.g. FLEET_CONTROL_URL,
    /// FLEET_CONTROL_TOKEN or FLEET_MQTT_USERNAME, must not leak into a test), except those `keep` accepts.
    public static func cleanEnvironment(keeping keep: (String) -> Bool = { _ in false }) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FLEET_") || keep($0.key) }
    }

    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

// MARK: - fleetctl

