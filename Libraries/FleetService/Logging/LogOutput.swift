import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where ``JSONLogHandler`` writes its lines.
///
/// The closure receives one complete line, including the trailing newline, and must
/// write it atomically with respect to other lines. ``standardOutput`` does so under a
/// process-wide lock; tests use ``init(_:)`` to capture lines in memory.
public struct LogOutput: Sendable {
    let write: @Sendable (String) -> Void

    /// Creates an output that hands each complete line to `write`.
    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard output, unbuffered: each line is written with `write(2)` while holding a lock,
    /// so lines from concurrent loggers never interleave.
    public static let standardOutput = LogOutput { line in
        StandardOutputWriter.write(line)
    }
}

/// Serialises writes to file descriptor 1.
private enum StandardOutputWriter {
    static let lock = Mutex(())

    static func write(_ line: String) {
        var line = line
        lock.withLock { _ in
            line.withUTF8 { buffer in
                guard var pointer = buffer.baseAddress else { return }
                var remaining = buffer.count
                while remaining > 0 {
                    #if canImport(Darwin)
                    let written = Darwin.write(STDOUT_FILENO, pointer, remaining)
                    #elseif canImport(Musl)
                    let written = Musl.write(STDOUT_FILENO, pointer, remaining)
                    #else
                    let written = Glibc.write(STDOUT_FILENO, pointer, remaining)
                    #endif
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // stdout is gone (closed pipe); dropping the line is all we can do.
                    }
                    remaining -= written
                    pointer += written
                }
            }
        }
    }
}
