import FleetCore
import Testing

@Suite("MQTT topics")
struct TopicTests {
    let vehicle = Fixtures.vehicle

    @Test("per-vehicle topics build and parse back", arguments: VehicleChannel.allCases)
    func vehicleTopics(channel: VehicleChannel) throws {
        let topic = channel.topic(for: vehicle)
        #expect(topic == "fleet/v1/vehicles/truck-042/\(channel.rawValue)")
        #expect(FleetTopics.topic(channel, for: vehicle) == topic)
        let parsed = try FleetTopic(parsing: topic)
        #expect(parsed == .vehicle(vehicle, channel))
        #expect(parsed.vehicleID == vehicle)
        #expect(parsed.messageKind == channel.messageKind)
        #expect(parsed.name == topic)
        #expect(FleetTopics.matches(filter: channel.filter, topic: topic))
        #expect(FleetTopics.matches(filter: FleetTopics.allVehicleTopics, topic: topic))
        #expect(FleetTopics.matches(filter: FleetTopics.filter(vehicle: vehicle), topic: topic))
        for other in VehicleChannel.allCases where other != channel {
            #expect(!FleetTopics.matches(filter: other.filter, topic: topic))
        }
    }

    @Test("the documented topic strings")
    func documented() throws {
        #expect(VehicleChannel.telemetry.filter == "fleet/v1/vehicles/+/telemetry")
        #expect(VehicleChannel.telemetryCommitted.topic(for: vehicle) == "fleet/v1/vehicles/truck-042/telemetry/committed")
        #expect(VehicleChannel.commandAcks.topic(for: vehicle) == "fleet/v1/vehicles/truck-042/commands/ack")
        #expect(FleetTopics.events(.geofenceEnter) == "fleet/v1/events/geofence_enter")
        #expect(try FleetTopics.deadLetter(source: "ingest") == "fleet/v1/deadletter/ingest")
        #expect(VehicleChannel.state.isRetained && VehicleChannel.desired.isRetained && VehicleChannel.telemetryCommitted.isRetained)
        #expect(!VehicleChannel.telemetry.isRetained && !VehicleChannel.commands.isRetained)
    }

    @Test("event and dead-letter topics parse", arguments: FleetEventType.allCases)
    func events(type: FleetEventType) throws {
        let topic = FleetTopics.events(type)
        #expect(try FleetTopic(parsing: topic) == .events(type))
        #expect(FleetTopics.matches(filter: FleetTopics.allEvents, topic: topic))
        #expect(FleetTopic(topic)?.messageKind == .fleetEvent)
        #expect(try FleetTopic(parsing: "fleet/v1/deadletter/tracking") == .deadLetter(source: "tracking"))
    }

    @Test(
        "invalid topics are rejected",
        arguments: [
            "", "fleet", "fleet/v1", "fleet/v2/vehicles/a/telemetry", "fleet/v1/vehicles/a", "fleet/v1/vehicles/a/",
            "fleet/v1/vehicles//telemetry", "fleet/v1/vehicles/+/telemetry", "fleet/v1/vehicles/a b/telemetry",
            "fleet/v1/vehicles/a/telemetry/", "fleet/v1/vehicles/a/telemetry/extra", "fleet/v1/vehicles/a/commands/nack",
            "fleet/v1/events/explosion", "fleet/v1/events/online/x", "fleet/v1/deadletter/", "fleet/v1/deadletter/a/b",
            "fleet/v1/other/a", "/fleet/v1/vehicles/a/state", "fleet/v1/vehicles/\(String(repeating: "x", count: 65))/state",
        ])
    func invalid(topic: String) {
        #expect(throws: ValidationError.self) { try FleetTopic(parsing: topic) }
        #expect(FleetTopic(topic) == nil)
    }

    @Test("invalid vehicle ids are reported as vehicle_id")
    func invalidVehicle() {
        #expect(throws: ValidationError(field: "vehicle_id", reason: "may only contain [A-Za-z0-9._-]")) {
            try FleetTopic(parsing: "fleet/v1/vehicles/a#b/state")
        }
    }

    @Test("shared subscriptions")
    func shared() throws {
        let filter = VehicleChannel.telemetry.filter
        #expect(try FleetTopics.shared(group: "ingest", filter: filter) == "$share/ingest/fleet/v1/vehicles/+/telemetry")
        let parsed = FleetTopics.parseShared("$share/ingest/fleet/v1/vehicles/+/telemetry")
        #expect(parsed?.group == "ingest")
        #expect(parsed?.filter == filter)
        for bad in ["", "a/b", "a+b", "a#", "with space", String(repeating: "g", count: 65)] {
            #expect(!FleetTopics.isValidShareGroup(bad))
            #expect(throws: ValidationError.self) { try FleetTopics.shared(group: bad, filter: filter) }
        }
        for badFilter in ["", "a/#/b", "a/b#", "a/+b", "$share/x/a"] {
            #expect(throws: ValidationError.self) { try FleetTopics.shared(group: "g", filter: badFilter) }
        }
        #expect(FleetTopics.parseShared("$share/g") == nil)
        #expect(FleetTopics.parseShared("fleet/v1/events/+") == nil)
        #expect(throws: ValidationError.self) { try FleetTopics.deadLetter(source: "bad/source") }
    }

    @Test("wildcard matching follows MQTT rules")
    func matching() {
        #expect(FleetTopics.matches(filter: "#", topic: "fleet/v1/events/online"))
        #expect(!FleetTopics.matches(filter: "#", topic: "$SYS/broker/uptime"))
        #expect(!FleetTopics.matches(filter: "+/v1/events/online", topic: "$fleet/v1/events/online"))
        #expect(FleetTopics.matches(filter: "fleet/v1/vehicles/#", topic: "fleet/v1/vehicles"))
        #expect(!FleetTopics.matches(filter: "fleet/v1/vehicles/+", topic: "fleet/v1/vehicles/a/state"))
        #expect(FleetTopics.matches(filter: "fleet/+/vehicles/+/state", topic: "fleet/v1/vehicles/a/state"))
        #expect(!FleetTopics.matches(filter: "fleet/v1/vehicles/+/telemetry", topic: "fleet/v1/vehicles/a/telemetry/committed"))
    }
}
