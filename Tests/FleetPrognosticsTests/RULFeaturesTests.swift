import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct RULFeaturesTests {
    @Test func handComputedWindow() {
        // Sensor A rises 2 per cycle from 1, sensor B is constant 5; 30 cycles, tail 10.
        let rows = (0..<30).map { t in [1 + 2 * Double(t), 5] }
        let f = RULFeatures.windowFeatures(rows, cycle: 42, tail: 10)
        #expect(f.count == 11)
        #expect(f[0] == 59 && f[1] == 5)  // last
        #expect(f[2] == 30 && f[3] == 5)  // mean: 1 + 2·14.5
        // population std of 2t over t = 0…29: 2·√((30² − 1) / 12) = 17.3013...
        #expect(abs(f[4] - 2 * ((900.0 - 1) / 12).squareRoot()) < 1e-12)
        #expect(f[5] == 0)
        #expect(abs(f[6] - 2) < 1e-12 && f[7] == 0)  // slope
        #expect(f[8] == 50 && f[9] == 5)  // mean of t = 20…29: 1 + 2·24.5
        #expect(f[10] == 42)  // cycle
    }

    @Test func shortHistoryIsPaddedWithTheFirstRow() {
        let rows: [[Double]] = [[1], [2], [3]]
        #expect(RULFeatures.paddedWindow(rows, window: 5) == [[1], [1], [1], [2], [3]])
        #expect(RULFeatures.paddedWindow(rows, window: 2) == [[2], [3]])
    }

    /// Features from raw C-MAPSS rows against those the Python training code computed for the same rows.
    @Test func matchesThePythonFeaturesFromRawRows() throws {
        let fixture = try TestData.fixture("rul_parity.json", as: RULParityFixture.self)
        let model = try RULModel.bundled()
        #expect(fixture.cases.count >= 100)
        var worst = 0.0
        for c in fixture.cases {
            let window = RULFeatures.paddedWindow(c.rows, window: model.window)
            let features = RULFeatures.windowFeatures(window, cycle: Double(c.firstCycle + c.rows.count - 1), tail: 10)
            #expect(features.count == c.features.count)
            for (a, b) in zip(features, c.features) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
        }
        #expect(worst <= fixture.tolerance.features, "largest relative feature difference \(worst)")
    }
}

struct RULParityFixture: Decodable {
    struct Tolerance: Decodable {
        var features: Double
        var lgbm: Double
        var mlp: Double
        /// Absent in fixtures of models without a convolutional network.
        var cnn: Double?
        var rul: Double
    }

    struct Case: Decodable {
        var source: String
        var unit: Int
        var firstCycle: Int
        var rows: [[Double]]
        var features: [Double]
        var lgbm: Double
        var mlp: Double?
        var cnn: Double?
        var rul: Double
    }

    var seed: Int
    var tolerance: Tolerance
    var cases: [Case]
    /// Largest |JAX float32 forward − NumPy float64 forward| of the CNN over the cases (training vs reference pass).
    var cnnJaxMaxAbsDiff: Double?
}
