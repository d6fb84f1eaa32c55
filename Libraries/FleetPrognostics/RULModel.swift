import Foundation

/// Remaining useful life of a C-MAPSS-like turbofan engine (trained on NASA C-MAPSS FD001), run from the model files
/// in `Models/`: a weighted blend of LightGBM fold models on 71 window features, multilayer perceptrons on the scaled
/// 30-cycle window and the features, and (when the model files have one) a 1-D convolutional network (DCNN) on the
/// scaled window. Trained and exported by `scripts/ml/train_rul.py`.
public struct RULModel: Sendable {
    /// Why model files could not be read.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// What was missing or inconsistent.
        public var reason: String
        /// The reason, prefixed.
        public var description: String { "RUL model: \(reason)" }
    }

    /// What the blend is made of, for one input (mostly for parity tests and diagnostics).
    public struct Components: Sendable, Equatable {
        /// The tree ensemble's RUL, clipped to [0, cap].
        public var trees: Double
        /// The networks' RUL, clipped to [0, cap] (nil when the model has no network).
        public var network: Double?
        /// The convolutional network's RUL, clipped to [0, cap] (nil when the model has none).
        public var convolution: Double?
        /// The blended RUL, clipped to [0, cap]: what `predict` returns.
        public var rul: Double
        /// The 71 window features the trees read.
        public var features: [Double]
    }

    /// Cycles the model looks at: the last `window` cycles (fewer are padded by repeating the oldest one).
    public var window: Int
    /// The C-MAPSS sensor columns each cycle must carry, in order (e.g. `["s2", "s3", …]`).
    public var sensorNames: [String]
    /// Largest RUL the model predicts (the training target was min(RUL, cap)).
    public var cap: Double
    /// Weight of the trees in the blend.
    public var treeWeight: Double
    /// Weight of the multilayer perceptrons in the blend (`1 − treeWeight` when there is no convolutional network).
    public var networkWeight: Double
    /// Weight of the convolutional network in the blend (0 when there is none).
    public var convolutionWeight: Double
    /// The training seed of the shipped model.
    public var seed: Int
    var tail: Int
    var trees: TreeEnsemble
    var networks: [DenseNetwork]
    var convolutionNetwork: ConvNetwork?

    /// The model shipped in this library's `Models` resource folder.
    /// - Throws: `LoadError` or a file error when the resources are missing or damaged.
    public static func bundled() throws -> RULModel {
        guard let directory = Bundle.module.url(forResource: "Models", withExtension: nil) else {
            throw LoadError(reason: "the Models resource folder is missing from the bundle")
        }
        return try RULModel(directory: directory)
    }

    /// Loads `rul_model.json` and the blobs it names from `directory`.
    /// - Throws: `LoadError` or a file error.
    public init(directory: URL) throws {
        let manifestData = try Data(contentsOf: directory.appendingPathComponent("rul_model.json"))
        let manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        window = manifest.window
        tail = manifest.tail
        cap = manifest.cap
        sensorNames = manifest.sensors
        treeWeight = manifest.blendWeightLGBM
        networkWeight = 1 - manifest.blendWeightLGBM
        convolutionWeight = 0
        seed = manifest.seed
        guard manifest.featureNames.count == 5 * sensorNames.count + 1, window >= tail, tail > 0,
            sensorNames.allSatisfy({ CMAPSSData.sensorIndex($0) != nil })
        else { throw LoadError(reason: "manifest sensors, window or features are inconsistent") }
        let tree = manifest.lgbm
        trees = try TreeEnsemble(
            blob: Data(contentsOf: directory.appendingPathComponent(tree.file)), nodes: tree.nodes, leaves: tree.leaves,
            trees: tree.trees, treesPerModel: tree.treesPerModel, featureCount: manifest.featureNames.count)
        networks = []
        if let mlp = manifest.mlp {
            let reader = BinaryReader(data: try Data(contentsOf: directory.appendingPathComponent(mlp.file)))
            let tensors = Dictionary(mlp.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            func read(_ name: String) throws -> [Double] {
                guard let t = tensors[name] else { throw LoadError(reason: "network tensor \(name) is missing") }
                let count = t.shape.reduce(1, *)
                return t.dtype == "float64" ? try reader.doubles(at: t.offset, count: count) : try reader.floats(at: t.offset, count: count)
            }
            let sizes = [window * sensorNames.count + manifest.featureNames.count] + mlp.hidden + [1]
            for fold in 0..<mlp.folds {
                var layers: [DenseNetwork.Layer] = []
                for i in 0..<(sizes.count - 1) {
                    let layer = DenseNetwork.Layer(weights: try read("fold\(fold).w\(i)"), bias: try read("fold\(fold).b\(i)"))
                    guard layer.bias.count == sizes[i + 1], layer.weights.count == sizes[i] * sizes[i + 1] else {
                        throw LoadError(reason: "network fold \(fold) layer \(i) has the wrong shape")
                    }
                    layers.append(layer)
                }
                let network = DenseNetwork(
                    low: try read("fold\(fold).lo"), high: try read("fold\(fold).hi"), mean: try read("fold\(fold).mu"),
                    deviation: try read("fold\(fold).sd"), layers: layers)
                guard network.low.count == sensorNames.count, network.mean.count == manifest.featureNames.count else {
                    throw LoadError(reason: "network fold \(fold) scaler has the wrong size")
                }
                networks.append(network)
            }
        }
        convolutionNetwork = nil
        if let cnn = manifest.cnn {
            guard let weights = manifest.blendWeights, !networks.isEmpty else {
                throw LoadError(reason: "a convolutional network needs blendWeights and the perceptrons")
            }
            treeWeight = weights.lgbm
            networkWeight = weights.mlp
            convolutionWeight = weights.cnn
            convolutionNetwork = try Self.loadConvolution(cnn, directory: directory, window: window, sensors: sensorNames.count)
        }
    }

    private static func loadConvolution(_ cnn: Manifest.Convolution, directory: URL, window: Int, sensors: Int) throws -> ConvNetwork {
        let reader = BinaryReader(data: try Data(contentsOf: directory.appendingPathComponent(cnn.file)))
        let tensors = Dictionary(cnn.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func read(_ name: String) throws -> (values: [Double], shape: [Int]) {
            guard let t = tensors[name] else { throw LoadError(reason: "convolution tensor \(name) is missing") }
            let count = t.shape.reduce(1, *)
            let values = t.dtype == "float64" ? try reader.doubles(at: t.offset, count: count) : try reader.floats(at: t.offset, count: count)
            return (values, t.shape)
        }
        var convolutions: [ConvNetwork.Convolution] = []
        var channels = 1
        for i in 0..<cnn.convLayers {
            let w = try read("conv\(i).w"), b = try read("conv\(i).b")
            guard w.shape.count == 3, w.shape[1] == channels, b.values.count == w.shape[0], w.shape[2] > 0 else {
                throw LoadError(reason: "convolution layer \(i) has the wrong shape")
            }
            convolutions.append(ConvNetwork.Convolution(weights: w.values, bias: b.values, inputs: channels, kernel: w.shape[2]))
            channels = w.shape[0]
        }
        guard channels == 1 else { throw LoadError(reason: "the last convolution must have one channel") }
        var dense: [DenseNetwork.Layer] = []
        var inputs = window * sensors
        for i in 0..<cnn.denseLayers {
            let w = try read("dense\(i).w"), b = try read("dense\(i).b")
            guard w.shape == [inputs, b.values.count] else { throw LoadError(reason: "convolution dense layer \(i) has the wrong shape") }
            dense.append(DenseNetwork.Layer(weights: w.values, bias: b.values))
            inputs = b.values.count
        }
        guard inputs == 1 else { throw LoadError(reason: "the convolutional network must have one output") }
        let network = ConvNetwork(low: try read("lo").values, high: try read("hi").values, convolutions: convolutions, dense: dense)
        guard network.low.count == sensors, network.high.count == sensors else {
            throw LoadError(reason: "convolution scaler has the wrong size")
        }
        return network
    }

    /// Predicted remaining useful life in cycles, clipped to [0, cap].
    ///
    /// - Parameters:
    ///   - cycles: one element per engine cycle, oldest first, each holding the values of `sensorNames` in order. Only
    ///     the last `window` cycles are read; fewer are padded by repeating the oldest (as in training). Must not be
    ///     empty.
    ///   - firstCycle: the engine's cycle number (counted from 1 since new) of `cycles[0]`. The cycle number of the
    ///     newest row, `firstCycle + cycles.count − 1`, is one of the model's features; the default 1 means
    ///     `cycles` is the engine's whole history.
    public func predict(cycles: [[Double]], firstCycle: Int = 1) -> Double {
        components(cycles: cycles, firstCycle: firstCycle).rul
    }

    /// The trees', the networks', the convolutional network's and the blended prediction for the same input as
    /// `predict(cycles:firstCycle:)`.
    public func components(cycles: [[Double]], firstCycle: Int = 1) -> Components {
        precondition(!cycles.isEmpty, "RULModel.predict needs at least one cycle")
        precondition(cycles.allSatisfy { $0.count == sensorNames.count }, "each cycle needs \(sensorNames.count) values")
        let windowRows = RULFeatures.paddedWindow(cycles, window: window)
        let lastCycle = Double(firstCycle + cycles.count - 1)
        let features = RULFeatures.windowFeatures(windowRows, cycle: lastCycle, tail: tail)
        let treeRUL = clip(trees.predict(features))
        guard !networks.isEmpty else {
            return Components(trees: treeRUL, network: nil, convolution: nil, rul: treeRUL, features: features)
        }
        var sum = 0.0
        for network in networks { sum += network.predict(window: windowRows, features: features) }
        let networkRUL = clip(sum / Double(networks.count))
        guard let convolutionNetwork else {
            let rul = clip(treeWeight * treeRUL + (1 - treeWeight) * networkRUL)
            return Components(trees: treeRUL, network: networkRUL, convolution: nil, rul: rul, features: features)
        }
        let convolutionRUL = clip(convolutionNetwork.predict(window: windowRows))
        // Same operation order as train_rul.py's Bundle.predict_windows.
        let rul = clip(treeWeight * treeRUL + networkWeight * networkRUL + convolutionWeight * convolutionRUL)
        return Components(trees: treeRUL, network: networkRUL, convolution: convolutionRUL, rul: rul, features: features)
    }

    private func clip(_ x: Double) -> Double { min(max(x, 0), cap) }
}
