import FleetGeo
import Testing

@Suite("Which ways are drivable, and in which direction")
struct DrivingProfileTests {
    private let profile = DrivingProfile.car

    @Test("Drivable classes are kept both ways", arguments: [
        "motorway_link", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "service",
        "living_street", "primary_link", "road",
    ])
    func drivable(highway: String) throws {
        let traversal = try #require(profile.traversal(for: ["highway": highway]))
        #expect(traversal.forward)
        #expect(traversal.backward == (highway != "motorway_link"))
    }

    @Test("Non-motor ways are dropped unless opened to motor vehicles", arguments: [
        "footway", "cycleway", "path", "pedestrian", "track", "bridleway",
    ])
    func nonMotor(highway: String) {
        #expect(profile.traversal(for: ["highway": highway]) == nil)
        #expect(profile.traversal(for: ["highway": highway, "motor_vehicle": "yes"]) != nil)
        #expect(profile.traversal(for: ["highway": highway, "motorcar": "destination"]) != nil)
    }

    @Test("Never drivable", arguments: [
        ["highway": "steps", "motor_vehicle": "yes"], ["highway": "construction"], ["highway": "proposed"],
        ["highway": "bus_stop"], ["building": "yes"], ["highway": "residential", "access": "no"],
        ["highway": "service", "access": "private"], ["highway": "residential", "motor_vehicle": "no"],
        ["highway": "primary", "oneway": "reversible"], ["highway": "pedestrian", "area": "yes", "motor_vehicle": "yes"],
        ["highway": "residential", "access": "yes", "motorcar": "no"],
    ])
    func dropped(tags: [String: String]) {
        #expect(profile.traversal(for: tags) == nil)
    }

    @Test("A more specific access tag overrides access=no")
    func specificAccessWins() {
        #expect(profile.traversal(for: ["highway": "service", "access": "no", "motor_vehicle": "yes"]) != nil)
        #expect(profile.traversal(for: ["highway": "service", "access": "private", "motorcar": "destination"]) != nil)
    }

    @Test("One-way rules", arguments: [
        (["oneway": "yes"], true, false), (["oneway": "1"], true, false), (["oneway": "true"], true, false),
        (["oneway": "-1"], false, true), (["oneway": "no"], true, true), ([:], true, true),
        (["junction": "roundabout"], true, false), (["junction": "circular"], true, false),
        (["junction": "roundabout", "oneway": "no"], true, true), (["oneway:motor_vehicle": "yes"], true, false),
    ])
    func oneWay(extra: [String: String], forward: Bool, backward: Bool) throws {
        let traversal = try #require(profile.traversal(for: extra.merging(["highway": "tertiary"]) { $1 }))
        #expect(traversal.forward == forward)
        #expect(traversal.backward == backward)
    }

    @Test("Motorways imply one-way unless tagged otherwise")
    func motorway() throws {
        let implied = try #require(profile.traversal(for: ["highway": "motorway"]))
        #expect(implied.forward && !implied.backward)
        let explicit = try #require(profile.traversal(for: ["highway": "motorway", "oneway": "no"]))
        #expect(explicit.forward && explicit.backward)
    }
}
