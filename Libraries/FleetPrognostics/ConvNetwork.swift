import Foundation

/// The DCNN of the RUL blend (after Li, Ding & Sun 2018; trained by `scripts/ml/cnn.py`): the window is min-max scaled
/// to [−1, 1] per sensor with (`low`, `high`); every sensor's series (oldest cycle first) goes through the same stack of
/// 1-D convolutions along time, each `tanh(conv + b)` with 'same' zero padding ((k − 1) / 2 before, k / 2 after: 4 and
/// 5 for k = 10, 1 and 1 for k = 3); the one-channel (cycle, sensor) map of the last convolution is flattened cycle
/// first and goes through the dense layers (tanh hidden, linear output in cycles). Dropout is a training-time
/// operation only. Weights are float32 in the file, computed in Double.
struct ConvNetwork: Sendable {
    struct Convolution: Sendable {
        /// (outputs × inputs × kernel), row-major, as PyTorch/JAX `(out, in, k)`.
        var weights: [Double]
        var bias: [Double]
        var inputs: Int
        var kernel: Int
        var outputs: Int { bias.count }
    }

    var low: [Double]
    var high: [Double]
    var convolutions: [Convolution]
    var dense: [DenseNetwork.Layer]

    /// `window`: `steps` rows of `low.count` sensor values, oldest first (already padded to the model's window).
    func predict(window: [[Double]]) -> Double {
        let steps = window.count
        let sensors = low.count
        var flat = [Double](repeating: 0, count: steps * sensors)
        var series = [Double](repeating: 0, count: steps)
        for s in 0..<sensors {
            for t in 0..<steps { series[t] = 2.0 * (window[t][s] - low[s]) / (high[s] - low[s]) - 1.0 }
            let out = convolve(series, steps: steps)
            for t in 0..<steps { flat[t * sensors + s] = out[t] }
        }
        return DenseNetwork.forward(flat, layers: dense)
    }

    /// The convolution stack on one sensor's series; returns the last layer's `steps` values (one channel).
    func convolve(_ input: [Double], steps: Int) -> [Double] {
        var h = input  // (steps × channels), cycle-major
        var channels = 1
        for layer in convolutions {
            precondition(layer.inputs == channels, "convolution input channels")
            let k = layer.kernel, cin = layer.inputs, cout = layer.outputs, before = (k - 1) / 2
            var out = [Double](repeating: 0, count: steps * cout)
            h.withUnsafeBufferPointer { x in
                layer.weights.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { y in
                        for t in 0..<steps {
                            for o in 0..<cout {
                                var sum = 0.0
                                for j in 0..<k {
                                    let source = t + j - before
                                    if source < 0 || source >= steps { continue }
                                    let xBase = source * cin
                                    let wBase = o * cin * k + j
                                    for c in 0..<cin { sum += x[xBase + c] * w[wBase + c * k] }
                                }
                                y[t * cout + o] = tanh(sum + layer.bias[o])
                            }
                        }
                    }
                }
            }
            h = out
            channels = cout
        }
        precondition(channels == 1, "the last convolution has one channel")
        return h
    }
}
