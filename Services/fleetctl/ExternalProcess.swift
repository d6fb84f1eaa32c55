import Foundation
import Glibc

/// A program started by fleetctl, awaited without blocking a thread.
///
/// Spawned with `posix_spawn` and an empty signal mask: Swift's worker threads block signals, and a child inheriting
/// that mask ignores SIGTERM and SIGALRM (so `mosquitto_sub -W` would never fire).
struct ExternalProcess: Sendable {
    let pid: pid_t

    /// Starts `executable` (looked up on PATH) with the given standard input and output.
    init(_ executable: String, _ arguments: [String], stdin: FileHandle? = nil, stdout: FileHandle? = nil) throws {
        let path = try Self.locate(executable)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin.fileDescriptor, 0) }
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout.fileDescriptor, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, &cArguments, environ)
        guard rc == 0 else { throw FleetctlError("cannot start \(path): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Waits for the program to end and returns its exit status (128 + signal if it was killed).
    func wait() async -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 { return -1 }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends SIGTERM and waits for the program to end.
    func terminate() async {
        kill(pid, SIGTERM)
        _ = await wait()
    }

    /// Runs a program to completion.
    static func run(_ executable: String, _ arguments: [String], stdin: FileHandle? = nil, stdout: FileHandle? = nil) async throws -> Int32 {
        try await ExternalProcess(executable, arguments, stdin: stdin, stdout: stdout).wait()
    }

    static func locate(_ name: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin:/usr/local/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw FleetctlError("\(name) not found on PATH (apt-get install mosquitto-clients)")
    }
}
