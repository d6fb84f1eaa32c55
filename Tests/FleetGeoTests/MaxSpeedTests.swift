import FleetGeo
import Testing

@Suite("maxspeed parsing")
struct MaxSpeedTests {
    @Test(
        "Values with a usable limit",
        arguments: [
            ("50", 50.0), (" 30 ", 30), ("50 km/h", 50), ("50km/h", 50), ("70 kmh", 70), ("20 kph", 20),
            ("30 mph", 48.28032), ("30mph", 48.28032), ("50 mph", 80.4672), ("10 knots", 18.52), ("7.5", 7.5),
            ("7,5", 7.5), ("FR:urban", 50), ("fr:rural", 80), ("FR:motorway", 130), ("DE:rural", 100),
            ("DE:living_street", 7), ("IT:urban", 50), ("RU:rural", 90), ("GB:nsl_single", 96.56),
            ("GB:nsl_dual", 112.65), ("DE:zone:30", 30), ("DE:zone30", 30), ("BE-VLG:rural", 70), ("walk", 7),
            ("50;30", 50), ("signals;50", 50),
        ])
    func parses(value: String, expected: Double) {
        let parsed = MaxSpeed.kilometresPerHour(value)
        #expect(parsed != nil && abs(parsed! - expected) < 0.001, "\(value) → \(String(describing: parsed))")
    }

    @Test(
        "Values that fall back to the road-class default",
        arguments: ["none", "signals", "variable", "", "fast", "0", "-30", "1000", "mph", "XX:nowhere", "50 furlongs"])
    func rejects(value: String) {
        #expect(MaxSpeed.kilometresPerHour(value) == nil)
    }

    @Test("The profile uses maxspeed, directional maxspeed and class defaults")
    func profileSpeeds() throws {
        let profile = DrivingProfile.car
        let plain = try #require(profile.traversal(for: ["highway": "primary", "maxspeed": "30 mph"]))
        #expect(abs(plain.forwardSpeedKilometresPerHour - 48.28032) < 0.001)
        let fallback = try #require(profile.traversal(for: ["highway": "residential", "maxspeed": "signals"]))
        #expect(fallback.forwardSpeedKilometresPerHour == RoadClass.residential.defaultSpeedKilometresPerHour)
        let directional = try #require(
            profile.traversal(for: ["highway": "secondary", "maxspeed": "50", "maxspeed:backward": "30"]))
        #expect(directional.forwardSpeedKilometresPerHour == 50)
        #expect(directional.backwardSpeedKilometresPerHour == 30)
        let custom = DrivingProfile(defaultSpeeds: [.service: 12])
        #expect(custom.traversal(for: ["highway": "service"])?.forwardSpeedKilometresPerHour == 12)
    }
}
