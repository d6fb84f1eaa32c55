import Foundation

/// CPU time of processes read from `/proc`, for the per-message cost figures of the benchmarks.
///
/// Figures are user + system seconds. A process group is sampled before and after a run; the difference divided by
/// the messages stored is the cost per message. PostgreSQL is every process named `postgres` (the postmaster, its
/// backends and background workers) plus what the postmaster's exited children used (its reaped-children times),
/// so a backend that ends during the run is still counted.
struct ProcessCPU: Sendable {
    /// One sampled group: a name and how to find its processes.
    enum Group: Sendable {
        case pid(Int32)
        case postgres
        case current
    }

    static let ticksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    /// Fields of `/proc/PID/stat` after the command name: index 0 is field 3 (state), so field n is at n - 3.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    private static func command(_ pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// User + system seconds of `pid`; with `reapedChildren`, also of its children that exited and were waited for.
    static func seconds(pid: Int32, reapedChildren: Bool = false) -> Double? {
        guard let fields = statFields(pid), fields.count > 14,
            let user = Double(fields[11]), let system = Double(fields[12]),
            let childUser = Double(fields[13]), let childSystem = Double(fields[14])
        else { return nil }
        return (user + system + (reapedChildren ? childUser + childSystem : 0)) / ticksPerSecond
    }

    /// The pids of every process whose command name is `name`.
    static func pids(named name: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { command($0) == name }
    }

    /// Seconds of CPU used so far by `group`, or nil when its processes cannot be read.
    static func seconds(of group: Group) -> Double? {
        switch group {
        case .pid(let pid):
            return seconds(pid: pid)
        case .current:
            return seconds(pid: getpid())
        case .postgres:
            let all = pids(named: "postgres")
            guard !all.isEmpty else { return nil }
            let members = Set(all)
            var total = 0.0
            for pid in all {
                guard let fields = statFields(pid), fields.count > 1, let parent = Int32(fields[1]) else { continue }
                // The postmaster (whose parent is not postgres) also carries its exited backends.
                total += seconds(pid: pid, reapedChildren: !members.contains(parent)) ?? 0
            }
            return total
        }
    }
}

/// CPU of named process groups between two instants of a benchmark.
struct CPUMeter: Sendable {
    let groups: [(name: String, group: ProcessCPU.Group)]
    private var start: [String: Double] = [:]

    init(groups: [(name: String, group: ProcessCPU.Group)]) {
        self.groups = groups
        for (name, group) in groups {
            start[name] = ProcessCPU.seconds(of: group)
        }
    }

    /// CPU seconds each group used since the meter was made (nil when it could not be read at either end).
    func elapsed() -> [(name: String, seconds: Double?)] {
        groups.map { name, group in
            guard let before = start[name], let after = ProcessCPU.seconds(of: group) else { return (name, nil) }
            return (name, max(0, after - before))
        }
    }

    /// The pid in `.stack/run/<product>.pid` of the local suite (`scripts/run.sh`), if that process runs.
    static func stackPid(_ product: String) -> Int32? {
        let directory = ProcessInfo.processInfo.environment["FLEET_STACK_DIR"] ?? ".stack"
        guard let text = try? String(contentsOfFile: "\(directory)/run/\(product).pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    /// The broker of the local stack (`.stack/mosquitto/mosquitto.pid`), else the only `mosquitto` process.
    static func brokerPid() -> Int32? {
        let directory = ProcessInfo.processInfo.environment["FLEET_STACK_DIR"] ?? ".stack"
        if let text = try? String(contentsOfFile: "\(directory)/mosquitto/mosquitto.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0
        {
            return pid
        }
        let all = ProcessCPU.pids(named: "mosquitto")
        return all.count == 1 ? all[0] : nil
    }
}
