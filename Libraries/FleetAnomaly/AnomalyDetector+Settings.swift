extension AnomalyDetector {
    /// The configuration packed into 28 bytes: 500,000 detectors (100,000 vehicles × 5 signals) carry one each.
    struct Settings: Sendable, Equatable {
        var smoothing: Float
        var spikeThreshold: Float
        var driftSlack: Float
        var driftThreshold: Float
        var driftClip: Float
        var resolution: Float
        var expectedBand: Float
        var warmupSamples: UInt16
        var stuckSamples: UInt16

        init(_ configuration: AnomalyConfiguration) {
            smoothing = Float(min(max(configuration.smoothing, 1e-4), 1))
            spikeThreshold = Float(configuration.spikeThreshold)
            driftSlack = Float(configuration.driftSlack)
            driftThreshold = Float(configuration.driftThreshold)
            driftClip = Float(configuration.driftClip)
            resolution = Float(max(configuration.resolution, 0))
            expectedBand = Float(configuration.expectedBand)
            warmupSamples = UInt16(clamping: max(configuration.warmupSamples, 2))
            stuckSamples = UInt16(clamping: max(configuration.stuckSamples, 0))
        }

        var configuration: AnomalyConfiguration {
            AnomalyConfiguration(
                warmupSamples: Int(warmupSamples), smoothing: Double(smoothing), spikeThreshold: Double(spikeThreshold),
                driftSlack: Double(driftSlack), driftThreshold: Double(driftThreshold), driftClip: Double(driftClip),
                stuckSamples: Int(stuckSamples), resolution: Double(resolution), expectedBand: Double(expectedBand))
        }
    }
}
