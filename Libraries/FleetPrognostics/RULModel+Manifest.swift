import Foundation

extension RULModel {
    /// `rul_model.json` as written by `scripts/ml/train_rul.py` (only the fields inference needs).
    struct Manifest: Decodable {
        struct Trees: Decodable {
            var file: String
            var models: Int
            var treesPerModel: [Int]
            var nodes: Int
            var leaves: Int
            var trees: Int
        }

        struct Tensor: Decodable {
            var name: String
            var dtype: String
            var shape: [Int]
            var offset: Int
        }

        struct Network: Decodable {
            var file: String
            var folds: Int
            var hidden: [Int]
            var tensors: [Tensor]
        }

        struct Convolution: Decodable {
            var file: String
            var convLayers: Int
            var denseLayers: Int
            var tensors: [Tensor]
        }

        struct Weights: Decodable {
            var lgbm: Double
            var mlp: Double
            var cnn: Double
        }

        var seed: Int
        var window: Int
        var tail: Int
        var cap: Double
        var sensors: [String]
        var featureNames: [String]
        var blendWeightLGBM: Double
        var lgbm: Trees
        var mlp: Network?
        /// Present when the blend has a DCNN member (then `blendWeights` too).
        var blendWeights: Weights?
        var cnn: Convolution?
    }
}
