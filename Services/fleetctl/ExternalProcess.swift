import Foundation

/// Runs a program and waits for it without blocking a thread.
enum ExternalProcess {
    /// Starts `executable` (looked up on PATH) and returns its exit status when it ends.
    static func run(_ executable: String, _ arguments: [String], stdin: FileHandle? = nil, stdout: FileHandle? = nil) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(executable))
        process.arguments = arguments
        if let stdin { process.standardInput = stdin }
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
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
