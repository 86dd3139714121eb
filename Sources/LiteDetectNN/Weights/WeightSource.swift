/// Where a network's parameters come from while it is being built.
///
/// Names and layouts are those of the PyTorch `state_dict` the model was defined by
/// (e.g. `features.3.conv.1.0.weight`, convolution weights `[out, in/groups, kh, kw]`):
/// files keep the ecosystem's keys, the engine repacks at load.
package protocol WeightSource {
    /// A human-readable name for errors (usually the file path).
    var sourceName: String { get }
    /// The values of tensor `name`, row-major, after checking that its shape is `shape`.
    mutating func take(_ name: String, shape: [Int]) throws(WeightError) -> [Float]
    /// Throws if anything the source holds was never taken: a model that leaves weights
    /// behind is not the model the file was made for.
    func checkAllUsed() throws(WeightError)
}

/// An in-memory set of named tensors, strict about use: every tensor must be taken exactly once.
package struct NamedTensors: WeightSource, Sendable {
    package struct Tensor: Sendable {
        package var shape: [Int]
        package var values: [Float]
        package init(shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "tensor values do not fill the shape")
            self.shape = shape
            self.values = values
        }
    }

    package private(set) var tensors: [String: Tensor]
    package let sourceName: String
    private var taken: Set<String> = []

    package init(_ tensors: [String: Tensor], sourceName: String) {
        self.tensors = tensors
        self.sourceName = sourceName
    }

    package mutating func take(_ name: String, shape: [Int]) throws(WeightError) -> [Float] {
        guard let tensor = tensors[name] else { throw .missing(name: name, source: sourceName) }
        guard tensor.shape == shape else { throw .shapeMismatch(name: name, expected: shape, actual: tensor.shape) }
        if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(name: name, index: bad) }
        taken.insert(name)
        return tensor.values
    }

    package func checkAllUsed() throws(WeightError) {
        let unused = tensors.keys.filter { !taken.contains($0) }.sorted()
        if !unused.isEmpty { throw .unused(names: unused, source: sourceName) }
    }
}

/// Plausible random parameters for any model, for speed and plumbing checks without trained
/// weights. Deterministic for a given seed; BatchNorm statistics stay in sane ranges.
package struct SeededRandomWeights: WeightSource, Sendable {
    package let sourceName = "random weights"
    private var state: UInt64

    package init(seed: UInt64 = 0x11_7E_DE_7E_C7) { state = seed }

    package mutating func take(_ name: String, shape: [Int]) throws(WeightError) -> [Float] {
        let count = shape.reduce(1, *)
        let (low, high): (Float, Float)
        if name.hasSuffix("running_var") {
            (low, high) = (0.5, 1.5)
        } else if name.hasSuffix("running_mean") || name.hasSuffix("bias") {
            (low, high) = (-0.1, 0.1)
        } else if shape.count == 1 {
            (low, high) = (0.5, 1.5)  // BatchNorm scale
        } else {
            let fanIn = Float(shape.dropFirst().reduce(1, *))
            let bound = (6 / fanIn).squareRoot()
            (low, high) = (-bound, bound)
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            values[i] = low + (high - low) * Float(z >> 40) / Float(1 << 24)
        }
        return values
    }

    package func checkAllUsed() {}
}
