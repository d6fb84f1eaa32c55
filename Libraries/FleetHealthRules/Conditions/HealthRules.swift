/// Everything the rules read besides the stream: thresholds and the fault-code table.
public struct HealthRules: Sendable {
    /// Enter and leave levels.
    public var thresholds: HealthThresholds
    /// Severity, system, text and breakdown flag of each code.
    public var faultCodes: FaultCodeTable
    /// Whether per-signal anomaly detection runs.
    public var detectsAnomalies: Bool
    /// The live models, for vehicles that report diagnostics (nil: diagnostics are ignored).
    public var prognostics: Prognostics?

    /// Creates the rules.
    public init(
        thresholds: HealthThresholds = HealthThresholds(), faultCodes: FaultCodeTable, detectsAnomalies: Bool = true,
        prognostics: Prognostics? = nil
    ) {
        self.thresholds = thresholds
        self.faultCodes = faultCodes
        self.detectsAnomalies = detectsAnomalies
        self.prognostics = prognostics
    }
}
