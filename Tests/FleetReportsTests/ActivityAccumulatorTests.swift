import Testing

@testable import FleetReports

@Suite("Activity from telemetry samples")
struct ActivityAccumulatorTests {
    static let day0: Int64 = 1_796_083_200_000  // 2026-12-01T00:00:00Z

    static func sample(_ vehicle: String, _ seconds: Int64, speed: Double, odo: Double, battery: Double?, _ status: String) -> ActivitySample {
        ActivitySample(
            vehicleID: vehicle, timeMillis: day0 + seconds * 1000, speedMetersPerSecond: speed, odometerMeters: odo, batteryPct: battery,
            fuelPct: nil, status: status)
    }

    @Test("Distance, driving time, stops, battery used, downtime runs and silences; vehicles interleaved; daily figures by the interval's end")
    func handComputed() {
        let v1 = [
            Self.sample("v1", 0, speed: 0, odo: 1000, battery: 90, "idle"),
            Self.sample("v1", 60, speed: 10, odo: 1000, battery: 90, "moving"),
            Self.sample("v1", 120, speed: 10, odo: 1600, battery: 89, "moving"),
            Self.sample("v1", 180, speed: 0, odo: 2200, battery: 88, "idle"),
            Self.sample("v1", 400, speed: 0, odo: 2200, battery: 88, "fault"),
            Self.sample("v1", 460, speed: 0, odo: 2200, battery: 95, "fault"),
            Self.sample("v1", 1000, speed: 0, odo: 2200, battery: 95, "idle"),
            Self.sample("v1", 1060, speed: 12, odo: 2200, battery: 95, "moving"),
            Self.sample("v1", 1120, speed: 12, odo: 2920, battery: 94, "moving"),
            Self.sample("v1", 1180, speed: 0.2, odo: 3640, battery: 94, "paused"),
            Self.sample("v1", 1240, speed: 0, odo: 3640, battery: 94, "paused"),
        ]
        let v2 = [
            Self.sample("v2", 86_340, speed: 10, odo: 0, battery: nil, "moving"),
            Self.sample("v2", 86_520, speed: 10, odo: 1200, battery: nil, "moving"),
        ]
        var accumulator = ActivityAccumulator()
        for sample in v1[0...5] { accumulator.add(sample) }
        accumulator.add(v2[0])
        for sample in v1[6...] { accumulator.add(sample) }
        accumulator.add(v2[1])
        let (vehicles, daily) = accumulator.finish(tags: ["v1": ["north"], "v2": [], "v3": ["north", "vans"]])

        #expect(vehicles.map(\.vehicleID) == ["v1", "v2", "v3"])
        let a = vehicles[0]
        #expect(a.tags == ["north"])
        #expect(a.distanceMeters == 2640)
        #expect(a.drivingSeconds == 240)
        #expect(a.stops == 1)  // the 180 s → 1060 s stop; the last one lasted only 60 s
        #expect(a.batteryUsedPct == 3)
        #expect(a.fuelUsedPct == nil)
        #expect(a.samples == 11)
        let t = { (s: Int64) in Self.day0 + s * 1000 }
        #expect(
            a.downtime == [
                DowntimeEpisode(cause: .fault, startMillis: t(400), endMillis: t(460)),
                DowntimeEpisode(cause: .offline, startMillis: t(460), endMillis: t(1000)),
                DowntimeEpisode(cause: .paused, startMillis: t(1180), endMillis: t(1240)),
            ])
        let b = vehicles[1]
        #expect(b.distanceMeters == 1200 && b.drivingSeconds == 180 && b.batteryUsedPct == nil && b.downtime.isEmpty)
        let c = vehicles[2]
        #expect(c.samples == 0 && c.tags == ["north", "vans"] && c.distanceMeters == 0)

        #expect(daily.map(\.dayStartMillis) == [Self.day0, Self.day0 + 86_400_000])
        #expect(daily[0].activeVehicles == 2 && daily[0].distanceMeters == 2640 && daily[0].drivingSeconds == 240)
        #expect(daily[1].activeVehicles == 1 && daily[1].distanceMeters == 1200 && daily[1].drivingSeconds == 180)
    }

    @Test("An odometer reset adds no distance; a stop still going at the end counts once it is long enough; a fault at the end closes at the last sample")
    func edges() {
        var accumulator = ActivityAccumulator(minStopMillis: 60_000)
        for sample in [
            Self.sample("x", 0, speed: 5, odo: 500, battery: nil, "moving"),
            Self.sample("x", 10, speed: 5, odo: 550, battery: nil, "moving"),
            Self.sample("x", 20, speed: 0, odo: 10, battery: nil, "fault"),  // odometer replaced
            Self.sample("x", 100, speed: 0, odo: 10, battery: nil, "fault"),
        ] {
            accumulator.add(sample)
        }
        let x = accumulator.finish(tags: [:]).vehicles[0]
        #expect(x.distanceMeters == 50)
        #expect(x.drivingSeconds == 20)
        #expect(x.stops == 1)
        #expect(x.downtime == [DowntimeEpisode(cause: .fault, startMillis: Self.day0 + 20_000, endMillis: Self.day0 + 100_000)])
    }
}
