import FleetCore
import FleetGeo
import FleetService
import FleetTestSupport
import FleetTraffic
import Foundation
import Testing

@testable import FleetRouting

@Suite("The planner and the route watch, without a broker")
struct PlannerTests {
    static let planner = Planner(network: RoutingHarness.network, limits: PlanningLimits())
    static let depot = PlanRequest.Point(lat: MonacoPlaces.depot.lat, lon: MonacoPlaces.depot.lon)

    static func stop(_ index: Int, demand: Int = 1, priority: Int = 1, window: PlanRequest.Window? = nil) -> PlanRequest.Stop {
        let place = MonacoPlaces.stops[index]
        return PlanRequest.Stop(
            id: "s\(index)", location: .init(lat: place.lat, lon: place.lon), demand: demand, serviceSeconds: 60, timeWindow: window,
            priority: priority, skills: nil)
    }

    static func plan(_ request: PlanRequest, fleet: FleetView.Snapshot = .init(positions: [:], conditions: [:]), now: Int64) -> Plan {
        planner.plan(request, id: UUID().uuidString, fleet: fleet, createdAtMillis: now, nowMillis: now, trafficAtMillis: nil)
    }

    @Test("when the fleet cannot carry everything, the lowest priorities are left out, each with the binding constraint")
    func priorities() {
        let now = TimestampPolicy.millis(from: .now)
        let request = PlanRequest(
            vehicles: [.init(id: "van", capacity: 3, start: Self.depot)],
            stops: [Self.stop(0), Self.stop(1, priority: 5), Self.stop(2), Self.stop(3, priority: 5), Self.stop(4)],
            options: .init(timeLimitMillis: 300, seed: 1))
        let plan = Self.plan(request, now: now)
        let served = Set(plan.routes.flatMap { $0.stops.map(\.id) })
        #expect(served.count == 3)
        #expect(served.isSuperset(of: ["s1", "s3"]), "both priority-5 stops are served: \(served)")
        #expect(plan.unassigned.count == 2)
        #expect(plan.unassigned.allSatisfy { $0.reason == "insufficient_capacity" }, "\(plan.unassigned)")
        #expect(plan.solver?.feasible == true)
        #expect(plan.summary?.stopsAssigned == 3)
    }

    @Test("two stops whose windows one vehicle cannot both meet: one is served, the other reported as a time conflict")
    func timeConflict() {
        let now = TimestampPolicy.millis(from: .now)
        // Both must start within the same two minutes, at opposite ends of Monaco, with 10 minutes of service each.
        let window = PlanRequest.Window(startMillis: now + 600_000, endMillis: now + 720_000)
        var far = Self.stop(8, window: window)
        far.serviceSeconds = 600
        var near = Self.stop(5, window: window)
        near.serviceSeconds = 600
        let request = PlanRequest(
            vehicles: [.init(id: "van", capacity: 10, start: Self.depot)], stops: [near, far], options: .init(timeLimitMillis: 200, seed: 1))
        let plan = Self.plan(request, now: now)
        #expect(plan.routes.flatMap(\.stops).count == 1)
        #expect(plan.unassigned.map(\.reason) == ["time_conflict"], "\(plan.unassigned)")
        for stop in plan.routes.flatMap(\.stops) {
            #expect(stop.serviceStartMillis >= window.startMillis! && stop.serviceStartMillis <= window.endMillis!)
        }
    }

    @Test("a vehicle with no end finishes at its last stop; one with start returns there")
    func ends() throws {
        let now = TimestampPolicy.millis(from: .now)
        let stops = [Self.stop(8)]
        let open = Self.plan(
            PlanRequest(vehicles: [.init(id: "v", start: Self.depot, returnToStart: false)], stops: stops, options: .init(timeLimitMillis: 50)), now: now)
        let back = Self.plan(PlanRequest(vehicles: [.init(id: "v", start: Self.depot)], stops: stops, options: .init(timeLimitMillis: 50)), now: now)
        let openRoute = try #require(open.routes.first)
        let backRoute = try #require(back.routes.first)
        #expect(backRoute.distanceMeters > 1.5 * openRoute.distanceMeters)
        let last = try #require(openRoute.geometry.coordinates.last)
        #expect(GeoCoordinate(latitude: last[1], longitude: last[0]).distance(to: GeoCoordinate(latitude: MonacoPlaces.stops[8].lat, longitude: MonacoPlaces.stops[8].lon)) < 200)
    }

    @Test("progress from a vehicle advances its route once, in order, and never backwards")
    func progress() throws {
        let now = TimestampPolicy.millis(from: .now)
        let plan = Self.plan(
            PlanRequest(vehicles: [.init(id: "van", start: Self.depot)], stops: [Self.stop(0), Self.stop(1), Self.stop(2)], options: .init(timeLimitMillis: 50)),
            now: now)
        let two = try #require(ProgressTracker.applying(RouteProgress(routeID: plan.id, completedStops: 2), of: "van", atMillis: now + 1_000, to: plan))
        #expect(two.routes[0].completedStops == 2)
        #expect(two.routes[0].stops.prefix(2).allSatisfy { $0.reachedAtMillis == now + 1_000 } && two.routes[0].stops[2].reachedAtMillis == nil)
        #expect(ProgressTracker.applying(RouteProgress(routeID: plan.id, completedStops: 1), of: "van", atMillis: now + 2_000, to: two) == nil)
        #expect(ProgressTracker.applying(RouteProgress(routeID: plan.id, completedStops: 3), of: "other", atMillis: now, to: two) == nil)
        let done = try #require(ProgressTracker.applying(RouteProgress(routeID: plan.id, completedStops: 9), of: "van", atMillis: now + 3_000, to: two))
        #expect(done.routes[0].completedStops == 3)
    }

    @Test("a breakdown, a flat battery, or a jam on the way to the remaining stops call for re-optimisation; a jam elsewhere does not")
    func replanReasons() throws {
        let now = TimestampPolicy.millis(from: .now)
        let plan = Self.plan(
            PlanRequest(vehicles: [.init(id: "van", start: Self.depot)], stops: [Self.stop(0), Self.stop(7)], options: .init(timeLimitMillis: 50)),
            now: now)
        let network = RoutingHarness.network
        let traffic = TrafficLayer(graph: network.graph, configuration: .init())
        let watch = RouteWatch(
            plans: PlanService(
                planner: Self.planner, repository: UnusedRepository(), fleet: FleetView(), network: network, limits: PlanningLimits(),
                metrics: RoutingMetrics(), logger: silentLogger),
            dispatcher: nil, traffic: traffic)
        let position = FleetView.Position(coordinate: GeoCoordinate(latitude: MonacoPlaces.depot.lat, longitude: MonacoPlaces.depot.lon), millis: now)
        let healthy = FleetView.Snapshot(positions: ["van": position], conditions: [:])
        let hierarchy = network.hierarchy
        #expect(watch.replanReason(plan, fleet: healthy, jammed: [], hierarchy: hierarchy, nowMillis: now) == nil)

        var broken = healthy
        broken.conditions["van"] = VehicleConditions(openFaults: ["P0300"])
        #expect(watch.replanReason(plan, fleet: broken, jammed: [], hierarchy: hierarchy, nowMillis: now)?.contains("breakdown") == true)
        var flat = healthy
        flat.conditions["van"] = VehicleConditions(lowBattery: true)
        #expect(watch.replanReason(plan, fleet: flat, jammed: [], hierarchy: hierarchy, nowMillis: now)?.contains("battery") == true)

        // A jam on an edge of the path from where the van is to its next stop.
        let from = try #require(network.waypoint(near: position.coordinate, within: 500))
        let to = try #require(network.waypoint(near: GeoCoordinate(latitude: plan.routes[0].stops[0].lat, longitude: plan.routes[0].stops[0].lon), within: 500))
        let path = try #require(hierarchy.path(from: from, to: to))
        let onTheWay = try #require(path.edges.dropFirst().first)
        #expect(watch.replanReason(plan, fleet: healthy, jammed: [onTheWay], hierarchy: hierarchy, nowMillis: now)?.contains("jam") == true)
        // A jam on a road the van will not take.
        let used = Set(path.edges)
        let elsewhere = try #require((0..<network.graph.edgeCount).first { !used.contains($0) && network.graph.coordinate(of: network.graph.source(of: $0)).distance(to: position.coordinate) > 2_000 })
        #expect(watch.replanReason(plan, fleet: healthy, jammed: [elsewhere], hierarchy: hierarchy, nowMillis: now) == nil)
    }
}

/// A repository the code under test must not call.
struct UnusedRepository: PlanRepository {
    func insert(_ plan: Plan, request: PlanRequest) async throws { Issue.record("unexpected") }
    func update(_ plan: Plan) async throws { Issue.record("unexpected") }
    func plan(id: UUID) async throws -> Plan? { nil }
    func request(id: UUID) async throws -> PlanRequest? { nil }
    func pending() async throws -> [(Plan, PlanRequest)] { [] }
    func active(since millis: Int64) async throws -> [Plan] { [] }
    func modify(id: UUID, _ change: @Sendable (Plan) throws -> Plan?) async throws -> Plan? { nil }
    func startJam(_ jam: JamRecord, event: OutboxMessage) async throws -> Bool { false }
    func clearJam(edge: Int, atMillis: Int64, reason: String, event: OutboxMessage) async throws -> Bool { false }
    func openJams() async throws -> [JamRecord] { [] }
    func saveConditions(_ conditions: VehicleConditions, vehicle: String) async throws {}
    func loadConditions() async throws -> [String: VehicleConditions] { [:] }
}
