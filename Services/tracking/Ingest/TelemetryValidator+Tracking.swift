import FleetCore

extension TelemetryValidator {
    /// Tracking's validator: clock skew from `FLEET_TRACKING_MAX_FUTURE_SKEW_SECONDS`, age from the retention.
    init(configuration: TrackingConfiguration) {
        self.init(
            timestamps: TimestampPolicy(
                maxFutureSkewMillis: Int64(configuration.maxFutureSkewSeconds) * 1_000,
                maxAgeMillis: Int64(configuration.retentionDays) * 86_400_000))
    }
}
