import FleetService
import CoreMetrics
import FleetCore
import Foundation
import Logging

/// Turns the live speeds into travel times for planning (re-weighting the contraction hierarchy, a fraction of a
/// millisecond on a city) and clears jams on roads nobody drives any more.
struct TrafficRefresh: Sendable {
    let traffic: TrafficLayer
    let network: RoadNetwork
    let jams: JamRecorder
    let metrics: RoutingMetrics

    func run() async throws {
        let now = TimestampPolicy.millis(from: .now)
        let seconds = Double(now) / 1_000
        let started = ContinuousClock.now
        network.refresh(travelTimes: traffic.travelTimes(atSeconds: seconds), atMillis: now)
        metrics.trafficRefreshSeconds.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        metrics.trafficRefreshes.increment()
        let cleared = traffic.sweep(atSeconds: seconds)
        if !cleared.isEmpty { await jams.record(cleared) }
        metrics.jammedSegments.record(traffic.jammedSegments.count)
    }
}
