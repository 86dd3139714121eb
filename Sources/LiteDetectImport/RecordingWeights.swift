import LiteDetectNN

/// A weight source that hands out zeros and remembers every request: building a network with it
/// lists the tensors (names, shapes, in build order) that LiteDetect needs for an architecture.
final class RecordingWeights: WeightSource {
    let sourceName = "the importer's layout probe"
    private(set) var requests: [(name: String, shape: [Int])] = []

    func take(_ name: String, shape: [Int]) throws(WeightError) -> [Float] {
        requests.append((name, shape))
        return [Float](repeating: 0, count: shape.reduce(1, *))
    }

    func checkAllUsed() {}
}
