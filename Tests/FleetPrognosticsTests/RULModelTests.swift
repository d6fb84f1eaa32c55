import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct RULModelTests {
    @Test func bundledModelDescribesItsInput() throws {
        let model = try RULModel.bundled()
        #expect(model.window == 30)
        #expect(model.cap == 125)
        #expect(model.sensorNames == ["s2", "s3", "s4", "s7", "s8", "s9", "s11", "s12", "s13", "s14", "s15", "s17", "s20", "s21"])
        #expect((0...1).contains(model.treeWeight))
    }

    /// Swift inference against the Python training code's outputs for the same raw rows (inputs and outputs in
    /// Fixtures/rul_parity.json, written by scripts/ml/train_rul.py). Trees: exact up to summation (≤ 1e-9);
    /// networks: Python's float64 forward pass with the exported float32 weights (≤ 1e-9).
    @Test func matchesThePythonPredictions() throws {
        let fixture = try TestData.fixture("rul_parity.json", as: RULParityFixture.self)
        let model = try RULModel.bundled()
        #expect(fixture.seed == model.seed)
        var worst = (trees: 0.0, network: 0.0, convolution: 0.0, rul: 0.0)
        for c in fixture.cases {
            let out = model.components(cycles: c.rows, firstCycle: c.firstCycle)
            worst.trees = max(worst.trees, abs(out.trees - c.lgbm))
            if let expected = c.mlp, let network = out.network { worst.network = max(worst.network, abs(network - expected)) }
            #expect((c.mlp == nil) == (out.network == nil))
            if let expected = c.cnn, let convolution = out.convolution {
                worst.convolution = max(worst.convolution, abs(convolution - expected))
            }
            #expect((c.cnn == nil) == (out.convolution == nil))
            worst.rul = max(worst.rul, abs(out.rul - c.rul))
            #expect(out.rul == model.predict(cycles: c.rows, firstCycle: c.firstCycle))
        }
        #expect(worst.trees <= fixture.tolerance.lgbm, "trees differ by \(worst.trees)")
        #expect(worst.network <= fixture.tolerance.mlp, "networks differ by \(worst.network)")
        #expect(worst.convolution <= fixture.tolerance.cnn ?? 0, "convolutional networks differ by \(worst.convolution)")
        #expect(worst.rul <= fixture.tolerance.rul, "RUL differs by \(worst.rul)")
        // Short histories (padded) are among the cases.
        #expect(fixture.cases.contains { $0.rows.count < model.window })
    }

    /// The shipped blend has a DCNN member whose weights sum with the others to 1; the CNN's JAX training forward pass
    /// and the NumPy reference (which Swift matches above) agree within float32 rounding.
    @Test func blendHasTheConvolutionalNetwork() throws {
        let model = try RULModel.bundled()
        let fixture = try TestData.fixture("rul_parity.json", as: RULParityFixture.self)
        #expect(model.convolutionNetwork != nil)
        #expect(abs(model.treeWeight + model.networkWeight + model.convolutionWeight - 1) <= 1e-12)
        #expect([model.treeWeight, model.networkWeight, model.convolutionWeight].allSatisfy { (0...1).contains($0) })
        let jax = try #require(fixture.cnnJaxMaxAbsDiff)
        #expect(jax <= 1e-3, "JAX float32 vs NumPy float64 CNN: \(jax) cycles")
    }

    /// 'same' padding of an even kernel: k = 10 pads 4 zeros before and 5 after (as JAX/TF 'SAME' and the exporter).
    @Test func convolutionPadsFourBeforeAndFiveAfter() {
        let steps = 30
        let input = (0..<steps).map { 0.01 * Double($0 + 1) }
        for tap in [0, 4, 9] {
            var weights = [Double](repeating: 0, count: 10)
            weights[tap] = 1
            let net = ConvNetwork(low: [0], high: [1], convolutions: [.init(weights: weights, bias: [0], inputs: 1, kernel: 10)], dense: [])
            let out = net.convolve(input, steps: steps)
            for t in 0..<steps {
                let source = t + tap - 4
                let expected = (0..<steps).contains(source) ? tanh(input[source]) : 0
                #expect(out[t] == expected, "tap \(tap) t \(t)")
            }
        }
    }

    @Test func fullRowsGiveTheSamePrediction() throws {
        let model = try RULModel.bundled()
        let data = try CMAPSSData(contentsOf: TestData.cmapss.appendingPathComponent("test_FD001.txt"))
        let rows = try #require(data.units[7])
        let tail = Array(rows.suffix(12))  // starts mid-history: its cycle number must carry through
        #expect(model.predict(rows: tail) == model.predict(cycles: tail.map { r in model.sensorNames.map { r.sensor($0)! } },
                                                            firstCycle: tail[0].cycle))
        #expect(model.predict(rows: tail) != model.predict(cycles: tail.map { r in model.sensorNames.map { r.sensor($0)! } }))
        #expect(model.predict(rows: []) == nil)
    }

    @Test func predictionsStayInsideTheCap() throws {
        let model = try RULModel.bundled()
        let data = try CMAPSSData(contentsOf: TestData.cmapss.appendingPathComponent("train_FD001.txt"))
        let rows = data.sensorRows(unit: 1, sensors: model.sensorNames)
        let fresh = model.predict(cycles: Array(rows.prefix(1)))
        let worn = model.predict(cycles: rows)
        #expect((0...model.cap).contains(fresh) && (0...model.cap).contains(worn))
        // Unit 1 fails after its last training cycle: a worn engine must look much closer to failure than a new one.
        #expect(fresh > 100, "new engine: \(fresh)")
        #expect(worn < 30, "engine at failure: \(worn)")
    }
}
