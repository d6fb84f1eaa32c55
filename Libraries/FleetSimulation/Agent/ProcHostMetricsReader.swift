public import FleetCore
public import Foundation

/// Reads this machine's CPU, memory, disk and network figures from `/proc` (Linux) and `statvfs`.
///
/// CPU and network are rates over the interval since the previous reading, so the first reading reports 0 for them.
public struct ProcHostMetricsReader: Sendable {
    /// The `/proc` directory (tests point it at a fixture).
    public var procRoot: URL
    /// The file system whose usage is reported.
    public var diskPath: String
    var previousCPU: (busy: UInt64, total: UInt64)?
    var previousNetwork: (rx: UInt64, tx: UInt64, at: Double)?

    /// Creates a reader.
    public init(procRoot: URL = URL(fileURLWithPath: "/proc"), diskPath: String = "/") {
        self.procRoot = procRoot
        self.diskPath = diskPath
    }

    /// Reads the figures now; `nowSeconds` is a monotonic time for the network rates.
    /// - Throws: ``SimulationError`` if a `/proc` file is missing or unparsable.
    public mutating func read(nowSeconds: Double) throws(SimulationError) -> HostMetrics {
        let cpu = try cpuTimes()
        var cpuPercent = 0.0
        if let previous = previousCPU, cpu.total > previous.total {
            cpuPercent = Double(cpu.busy &- previous.busy) / Double(cpu.total - previous.total) * 100
        }
        previousCPU = cpu
        let network = try networkBytes()
        var rx: UInt64 = 0, tx: UInt64 = 0
        if let previous = previousNetwork, nowSeconds > previous.at {
            let seconds = nowSeconds - previous.at
            rx = UInt64(Double(network.rx >= previous.rx ? network.rx - previous.rx : 0) / seconds)
            tx = UInt64(Double(network.tx >= previous.tx ? network.tx - previous.tx : 0) / seconds)
        }
        previousNetwork = (network.rx, network.tx, nowSeconds)
        return HostMetrics(
            cpuPercent: min(100, max(0, cpuPercent)),
            memoryPercent: try memoryPercent(),
            diskPercent: diskPercent(),
            networkRxBytesPerSecond: min(rx, FleetLimits.networkBytesPerSecond.upperBound),
            networkTxBytesPerSecond: min(tx, FleetLimits.networkBytesPerSecond.upperBound)
        )
    }

    func file(_ name: String) throws(SimulationError) -> String {
        let url = procRoot.appendingPathComponent(name)
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SimulationError("cannot read \(url.path)")
        }
    }

    /// Busy and total jiffies from the aggregate `cpu` line of `/proc/stat`.
    func cpuTimes() throws(SimulationError) -> (busy: UInt64, total: UInt64) {
        guard let line = try file("stat").split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw SimulationError("no cpu line in \(procRoot.path)/stat")
        }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 4 else { throw SimulationError("malformed cpu line in \(procRoot.path)/stat") }
        let total = values.prefix(8).reduce(0, +)  // user nice system idle iowait irq softirq steal
        let idle = values[3] + (values.count > 4 ? values[4] : 0)
        return (total - idle, total)
    }

    /// `(MemTotal - MemAvailable) / MemTotal` from `/proc/meminfo`.
    func memoryPercent() throws(SimulationError) -> Double {
        var fields: [Substring: Double] = [:]
        for line in try file("meminfo").split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            if parts.count >= 2, let value = Double(parts[1]) { fields[parts[0]] = value }
        }
        guard let total = fields["MemTotal"], total > 0, let available = fields["MemAvailable"] else {
            throw SimulationError("MemTotal/MemAvailable missing in \(procRoot.path)/meminfo")
        }
        return min(100, max(0, (total - available) / total * 100))
    }

    /// Received and transmitted bytes of every interface but loopback, from `/proc/net/dev`.
    func networkBytes() throws(SimulationError) -> (rx: UInt64, tx: UInt64) {
        var rx: UInt64 = 0, tx: UInt64 = 0
        for line in try file("net/dev").split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard name != "lo" else { continue }
            let values = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            guard values.count >= 9 else { continue }
            rx &+= values[0]
            tx &+= values[8]
        }
        return (rx, tx)
    }

    /// Used share of `diskPath` (0 if it cannot be read).
    func diskPercent() -> Double {
        var stats = statvfs()
        guard statvfs(diskPath, &stats) == 0, stats.f_blocks > 0 else { return 0 }
        let total = Double(stats.f_blocks), free = Double(stats.f_bfree)
        return min(100, max(0, (total - free) / total * 100))
    }
}
