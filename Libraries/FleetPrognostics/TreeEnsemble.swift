import Foundation

/// LightGBM regression trees as flat arrays (exported by `scripts/ml/train_rul.py`): the output of one model is the
/// sum of its trees' leaf values; the ensemble's output is the mean over its models (the fold models).
struct TreeEnsemble: Sendable {
    var thresholds: [Double]
    var leafValues: [Double]
    var features: [Int]
    var left: [Int]
    var right: [Int]
    /// Root reference of each tree: ≥ 0 is a node, < 0 is leaf −(ref + 1).
    var roots: [Int]
    var treesPerModel: [Int]

    /// Reads the blob laid out as float64 thresholds[nodes], float64 leafValues[leaves], int32 features[nodes],
    /// int32 left[nodes], int32 right[nodes], int32 roots[trees].
    init(blob: Data, nodes: Int, leaves: Int, trees: Int, treesPerModel: [Int], featureCount: Int) throws {
        let reader = BinaryReader(data: blob)
        var offset = 0
        thresholds = try reader.doubles(at: offset, count: nodes)
        offset += 8 * nodes
        leafValues = try reader.doubles(at: offset, count: leaves)
        offset += 8 * leaves
        features = try reader.int32s(at: offset, count: nodes)
        offset += 4 * nodes
        left = try reader.int32s(at: offset, count: nodes)
        offset += 4 * nodes
        right = try reader.int32s(at: offset, count: nodes)
        offset += 4 * nodes
        roots = try reader.int32s(at: offset, count: trees)
        offset += 4 * trees
        self.treesPerModel = treesPerModel
        guard offset == blob.count, treesPerModel.reduce(0, +) == trees, !treesPerModel.isEmpty else {
            throw RULModel.LoadError(reason: "tree blob size or tree counts do not match the manifest")
        }
        let refsValid = (left + right + roots).allSatisfy { $0 < nodes && $0 >= -leaves }
        guard refsValid, features.allSatisfy({ (0..<featureCount).contains($0) }) else {
            throw RULModel.LoadError(reason: "tree blob has references out of range")
        }
    }

    /// Mean over the models of each model's sum of leaf values (summed tree by tree, in order, as LightGBM does).
    func predict(_ x: [Double]) -> Double {
        var total = 0.0
        var tree = 0
        for count in treesPerModel {
            var sum = 0.0
            for _ in 0..<count {
                var ref = roots[tree]
                while ref >= 0 { ref = x[features[ref]] <= thresholds[ref] ? left[ref] : right[ref] }
                sum += leafValues[-(ref + 1)]
                tree += 1
            }
            total += sum
        }
        return total / Double(treesPerModel.count)
    }
}
