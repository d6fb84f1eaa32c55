import FleetVRP
import Foundation
import Testing

@Suite("The feasibility checker")
struct FeasibilityCheckerTests {
    /// Depot at 0; stops at 1…3 on a line 10 apart; one vehicle of capacity 5.
    static func line(capacity: Int = 5, windows: [(Int, Int)]? = nil) throws -> VRPProblem {
        let matrix = VRPData.euclidean([(0, 0), (10, 0), (20, 0), (30, 0)])
        let clients = (1...3).map { index in
            VRPClient(
                location: index, demand: 2, serviceDuration: 1, earliest: windows?[index - 1].0 ?? 0,
                latest: windows?[index - 1].1 ?? VRPProblem.unbounded)
        }
        return try VRPProblem(
            locationCount: 4, distances: matrix, durations: matrix, clients: clients,
            vehicles: [VRPVehicle(startLocation: 0, endLocation: 0, capacity: capacity, shiftEnd: 1_000)])
    }

    @Test("the published C101 and A-n32-k5 solutions check out at their published cost")
    func publishedSolutions() throws {
        let solomon = try SolomonInstance.read(contentsOf: VRPData.solomon("C101"))
        #expect(solomon.clients.count == 100 && solomon.vehicles.count == 25 && solomon.vehicles[0].capacity == 200)
        let solomonPlan = try VRPData.solution(VRPData.folder.appendingPathComponent("solomon/C101.sol"), vehicles: 25)
        let solomonReport = FeasibilityChecker.check(solomonPlan, against: solomon)
        #expect(solomonReport.violations == [])
        #expect(solomonReport.distance == 8273)  // 827.3 in tenths

        let cvrp = try CVRPLibInstance.read(contentsOf: VRPData.cvrp("A-n32-k5"))
        #expect(cvrp.clients.count == 31 && cvrp.vehicles.count == 7)  // k + max(2, ⌈0.2k⌉)
        let cvrpPlan = try VRPData.solution(VRPData.folder.appendingPathComponent("cvrp/A-n32-k5.sol"), vehicles: 7)
        let cvrpReport = FeasibilityChecker.check(cvrpPlan, against: cvrp)
        #expect(cvrpReport.violations == [])
        #expect(cvrpReport.distance == 784)
    }

    @Test("a feasible plan is measured exactly")
    func feasible() throws {
        let report = FeasibilityChecker.check(VRPSolution(routes: [[0, 1]]), against: try Self.line(capacity: 4))
        #expect(!report.isFeasible)  // stop 2 is missing
        let full = FeasibilityChecker.check(VRPSolution(routes: [[0, 1, 2]]), against: try Self.line(capacity: 6))
        #expect(full.violations == [])
        #expect(full.distance == 60)
        #expect(full.routes[0].arrivals == [10, 21, 32])
    }

    @Test("each broken constraint is named")
    func violations() throws {
        let overloaded = FeasibilityChecker.check(VRPSolution(routes: [[0, 1, 2]]), against: try Self.line(capacity: 5))
        #expect(overloaded.violations.contains { $0.contains("exceeds capacity") })

        let late = try Self.line(capacity: 6, windows: [(0, 100), (0, 100), (0, 15)])
        let lateReport = FeasibilityChecker.check(VRPSolution(routes: [[0, 1, 2]]), against: late)
        #expect(lateReport.violations.contains { $0.contains("stop 2 starts at 32 after 15") })

        let twice = FeasibilityChecker.check(VRPSolution(routes: [[0, 1, 2, 0]]), against: try Self.line(capacity: 9))
        #expect(twice.violations.contains { $0.contains("stop 0 is planned 2 times") })

        var shortShift = try Self.line(capacity: 6)
        shortShift = try VRPProblem(
            locationCount: shortShift.locationCount, distances: shortShift.distances, durations: shortShift.durations,
            clients: shortShift.clients,
            vehicles: [VRPVehicle(startLocation: 0, endLocation: 0, capacity: 6, shiftEnd: 50)])
        let shift = FeasibilityChecker.check(VRPSolution(routes: [[0, 1, 2]]), against: shortShift)
        #expect(shift.violations.contains { $0.contains("after its shift ends") })
    }

    @Test("waiting at the start is left out of the duration checked against a maximum")
    func delayedDeparture() throws {
        let matrix = VRPData.euclidean([(0, 0), (10, 0)])
        let problem = try VRPProblem(
            locationCount: 2, distances: matrix, durations: matrix,
            clients: [VRPClient(location: 1, earliest: 100, latest: 120)],
            vehicles: [VRPVehicle(startLocation: 0, endLocation: 0, capacity: 1, maximumDuration: 25)])
        let report = FeasibilityChecker.check(VRPSolution(routes: [[0]]), against: problem)
        #expect(report.violations == [])
        #expect(report.routes[0].departure == 90)
        let dispatched = FeasibilityChecker.check(VRPSolution(routes: [[0]]), against: problem, departAtShiftStart: true)
        #expect(dispatched.violations.contains { $0.contains("more than 25") })
    }

    @Test("impossible problems are refused with a reason")
    func refused() throws {
        let matrix = VRPData.euclidean([(0, 0), (10, 0)])
        let vehicle = VRPVehicle(startLocation: 0, endLocation: 0, capacity: 1)
        #expect(throws: VRPProblemError.self) {
            try VRPProblem(locationCount: 2, distances: matrix, durations: matrix, clients: [VRPClient(location: 5)], vehicles: [vehicle])
        }
        #expect(throws: VRPProblemError.self) {
            try VRPProblem(
                locationCount: 2, distances: matrix, durations: matrix,
                clients: [VRPClient(location: 1, demand: -1)], vehicles: [vehicle])
        }
        #expect(throws: VRPProblemError.self) {
            try VRPProblem(
                locationCount: 2, distances: matrix, durations: matrix,
                clients: [VRPClient(location: 1, earliest: 10, latest: 5)], vehicles: [vehicle])
        }
        #expect(throws: VRPProblemError.self) {
            try VRPProblem(locationCount: 2, distances: [0, 1, 1], durations: matrix, clients: [], vehicles: [vehicle])
        }
        #expect(throws: VRPProblemError.self) {
            try VRPProblem(locationCount: 2, distances: matrix, durations: matrix, clients: [], vehicles: [])
        }
        #expect(throws: VRPProblemError.self) { try SolomonInstance.parse("not an instance") }
        #expect(throws: VRPProblemError.self) { try CVRPLibInstance.parse("NAME : x\nDIMENSION : 3\n", name: "x") }
    }
}
