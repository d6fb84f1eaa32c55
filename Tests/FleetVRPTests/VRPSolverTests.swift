import FleetCore
import FleetVRP
import Foundation
import Testing

@Suite("The routing solver")
struct VRPSolverTests {
    /// Solves with an iteration limit (reproducible, independent of the machine's speed).
    static func solve(_ problem: VRPProblem, iterations: Int = 500, seed: UInt64 = 7) -> VRPSolver.Result {
        VRPSolver(problem: problem).solve(
            parameters: .init(seed: seed, timeLimit: .seconds(60), iterationLimit: iterations))
    }

    /// A random problem with `count` stops, two vehicles and tight-ish windows and capacity.
    static func smallProblem(seed: UInt64, count: Int = 6) throws -> VRPProblem {
        var random = SplitMix64(seed: seed)
        let points = [(50, 50)] + (0..<count).map { _ in (Int.random(in: 0...100, using: &random), Int.random(in: 0...100, using: &random)) }
        let matrix = VRPData.euclidean(points)
        let clients = (1...count).map { location in
            let opens = Int.random(in: 0...150, using: &random)
            return VRPClient(
                location: location, demand: Int.random(in: 1...4, using: &random), serviceDuration: 5, earliest: opens,
                latest: opens + Int.random(in: 40...200, using: &random))
        }
        let vehicles = (0..<2).map { _ in VRPVehicle(startLocation: 0, endLocation: 0, capacity: 12, shiftEnd: 600) }
        return try VRPProblem(
            locationCount: points.count, distances: matrix, durations: matrix, clients: clients, vehicles: vehicles)
    }

    /// The optimum by enumeration: every order of the stops, cut into two routes at every point.
    static func bruteForceOptimum(_ problem: VRPProblem) -> Int? {
        var best: Int?
        var order = Array(problem.clients.indices)
        func visit(_ k: Int) {
            if k == order.count {
                for cut in 0...order.count {
                    let plan = VRPSolution(routes: [Array(order[..<cut]), Array(order[cut...])])
                    let report = FeasibilityChecker.check(plan, against: problem)
                    if report.isFeasible, best.map({ report.objective < $0 }) ?? true { best = report.objective }
                }
                return
            }
            for i in k..<order.count {
                order.swapAt(k, i)
                visit(k + 1)
                order.swapAt(k, i)
            }
        }
        visit(0)
        return best
    }

    @Test("small problems are solved to their enumerated optimum", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func optimum(seed: UInt64) throws {
        let problem = try Self.smallProblem(seed: seed)
        let optimum = Self.bruteForceOptimum(problem)
        let result = Self.solve(problem)
        let report = FeasibilityChecker.check(result.solution, against: problem)
        if let optimum {
            #expect(report.violations == [])
            #expect(result.isFeasible)
            #expect(report.objective == optimum)
            #expect(result.objective == report.objective)
        } else {
            #expect(!result.isFeasible)  // Nothing feasible exists, and the answer says so.
        }
    }

    @Test("the same seed and iteration limit give the same plan")
    func deterministic() throws {
        let problem = try Self.smallProblem(seed: 11, count: 25)
        let first = Self.solve(problem, iterations: 150, seed: 3)
        let second = Self.solve(problem, iterations: 150, seed: 3)
        #expect(first.solution == second.solution)
        #expect(first.iterations == 150)
    }

    @Test("literature instances get a checked, feasible answer within their time limit", arguments: ["R101", "C201"])
    func solomon(name: String) throws {
        let problem = try SolomonInstance.read(contentsOf: VRPData.solomon(name))
        let result = VRPSolver(problem: problem).solve(parameters: .init(seed: 1, timeLimit: .milliseconds(500)))
        let report = FeasibilityChecker.check(result.solution, against: problem)
        #expect(report.violations == [])
        #expect(report.distance == result.distance)
        #expect(result.solution.unplannedClients(of: problem).isEmpty)
    }

    @Test("skills, open ends and maximum durations bind")
    func productConstraints() throws {
        // Depot 0; stops 1…4 along a line. Stop 3 needs skill 1, which only vehicle 1 has; vehicle 1 starts at the
        // far end and does not return.
        let matrix = VRPData.euclidean([(0, 0), (10, 0), (20, 0), (30, 0), (40, 0), (50, 0)])
        let clients = (1...4).map { VRPClient(location: $0, demand: 1, requiredSkills: $0 == 3 ? 0b10 : 0) }
        let vehicles = [
            VRPVehicle(startLocation: 0, endLocation: 0, capacity: 10, maximumDuration: 45, skills: 0b01),
            VRPVehicle(startLocation: 5, endLocation: nil, capacity: 10, skills: 0b11),
        ]
        let problem = try VRPProblem(
            locationCount: 6, distances: matrix, durations: matrix, clients: clients, vehicles: vehicles)
        let result = Self.solve(problem, iterations: 300)
        let report = FeasibilityChecker.check(result.solution, against: problem)
        #expect(report.violations == [])
        #expect(result.solution.routes[1].contains(2))  // Stop index 2 is location 3.
        // Vehicle 0 may drive at most 45: out and back to location 2 (40) at most.
        #expect(result.solution.routes[0].allSatisfy { $0 <= 1 })
    }

    @Test("optional stops are planned only when their prize pays for the detour")
    func prizes() throws {
        let matrix = VRPData.euclidean([(0, 0), (10, 0), (100, 0)])
        let clients = [
            VRPClient(location: 1, isRequired: false, prize: 50),  // 20 there and back: worth it.
            VRPClient(location: 2, isRequired: false, prize: 50),  // 200 there and back: not worth it.
        ]
        let problem = try VRPProblem(
            locationCount: 3, distances: matrix, durations: matrix, clients: clients,
            vehicles: [VRPVehicle(startLocation: 0, endLocation: 0, capacity: 1)])
        let result = Self.solve(problem, iterations: 100)
        #expect(result.solution.routes[0] == [0])
        #expect(result.objective == 20 + 50)
        #expect(FeasibilityChecker.check(result.solution, against: problem).objective == result.objective)
    }
}
