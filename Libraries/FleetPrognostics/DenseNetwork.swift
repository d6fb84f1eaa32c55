import Foundation

/// One fold's multilayer perceptron with its input scaling: the window is min-max scaled to [−1, 1] per sensor with
/// (`low`, `high`) and flattened oldest row first, then the window features are z-scored with (`mean`, `deviation`);
/// hidden layers are `tanh(h·W + b)`, the output layer is linear. Weights are float32 in the file, computed in Double.
struct DenseNetwork: Sendable {
    struct Layer: Sendable {
        /// Row-major (inputs × outputs).
        var weights: [Double]
        var bias: [Double]
        var inputs: Int { weights.count / bias.count }
    }

    var low: [Double]
    var high: [Double]
    var mean: [Double]
    var deviation: [Double]
    var layers: [Layer]

    func input(window: [[Double]], features: [Double]) -> [Double] {
        var x: [Double] = []
        x.reserveCapacity(window.count * low.count + features.count)
        for row in window {
            for j in 0..<low.count { x.append(2.0 * (row[j] - low[j]) / (high[j] - low[j]) - 1.0) }
        }
        for j in 0..<features.count { x.append((features[j] - mean[j]) / deviation[j]) }
        return x
    }

    func predict(window: [[Double]], features: [Double]) -> Double {
        DenseNetwork.forward(input(window: window, features: features), layers: layers)
    }

    /// `tanh(h·W + b)` through the hidden layers, then the linear output layer; returns its first output.
    static func forward(_ input: [Double], layers: [Layer]) -> Double {
        var h = input
        for (index, layer) in layers.enumerated() {
            let outputs = layer.bias.count
            var next = [Double](repeating: 0, count: outputs)
            for i in 0..<h.count {
                let xi = h[i]
                let base = i * outputs
                for o in 0..<outputs { next[o] += xi * layer.weights[base + o] }
            }
            for o in 0..<outputs { next[o] += layer.bias[o] }
            h = index < layers.count - 1 ? next.map { tanh($0) } : next
        }
        return h[0]
    }
}
