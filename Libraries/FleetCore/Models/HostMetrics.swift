/// Health of the vehicle's on-board computer.
///
/// Percentages are utilisation of the whole machine (0–100, not per core);
/// network figures are average rates in bytes per second over the sampling interval.
public struct HostMetrics: Hashable, Sendable {
    /// CPU utilisation, 0–100 %. Wire name `cpu_pct`.
    public var cpuPercent: Double
    /// Memory in use, 0–100 %. Wire name `mem_pct`.
    public var memoryPercent: Double
    /// Root file system in use, 0–100 %. Wire name `disk_pct`.
    public var diskPercent: Double
    /// Received bytes per second. Wire name `net_rx_bps`.
    public var networkRxBytesPerSecond: UInt64
    /// Transmitted bytes per second. Wire name `net_tx_bps`.
    public var networkTxBytesPerSecond: UInt64

    /// Creates host metrics (not validated until ``validate()``).
    public init(
        cpuPercent: Double, memoryPercent: Double, diskPercent: Double,
        networkRxBytesPerSecond: UInt64, networkTxBytesPerSecond: UInt64
    ) {
        self.cpuPercent = cpuPercent
        self.memoryPercent = memoryPercent
        self.diskPercent = diskPercent
        self.networkRxBytesPerSecond = networkRxBytesPerSecond
        self.networkTxBytesPerSecond = networkTxBytesPerSecond
    }

    /// Checks every field against ``FleetLimits``; field names are relative (`cpu_pct`, …).
    public func validate() throws(ValidationError) {
        try Check.range(cpuPercent, FleetLimits.percent, "cpu_pct")
        try Check.range(memoryPercent, FleetLimits.percent, "mem_pct")
        try Check.range(diskPercent, FleetLimits.percent, "disk_pct")
        try Check.range(networkRxBytesPerSecond, FleetLimits.networkBytesPerSecond, "net_rx_bps")
        try Check.range(networkTxBytesPerSecond, FleetLimits.networkBytesPerSecond, "net_tx_bps")
    }
}
