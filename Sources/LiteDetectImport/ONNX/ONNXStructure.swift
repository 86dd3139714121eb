import LiteDetectKernels
import LiteDetectNN

/// A feature-map graph in one canonical form that both an ONNX graph and a built LiteDetect
/// network lower to, so that the two can be compared node by node.
///
/// Canonical means unfused and normalised: a convolution is only the convolution (its BatchNorm
/// belongs to it, its activation and fused residual become `activation` and `add` nodes), an
/// activation of a concatenation becomes the concatenation of the activated parts (LiteDetect
/// fuses ShuffleNetV1's `relu(cat(pool, branch))` that way), and identity activations vanish.
struct FeatureGraph {
    enum Operation: Hashable, CustomStringConvertible {
        case input
        /// The whole geometry: input shape, output channels, kernel, stride, padding, groups.
        case convolution(ConvolutionGeometry)
        case add
        case activation(Activation)
        case maxPool(PoolGeometry)
        case averagePool(PoolGeometry, countIncludePadding: Bool)
        case globalAveragePool
        case concat
        case channelSlice(offset: Int, count: Int)
        case channelShuffle(groups: Int)
        /// `inputs[0]` (H×W×C) times `inputs[1]` (1×1×C), channel by channel.
        case scaleChannels

        var description: String {
            switch self {
            case .input: return "the input"
            case let .convolution(g):
                return
                    "convolution \(g.kernelHeight)×\(g.kernelWidth) stride \(g.stride) padding \(g.padding) groups \(g.groups), \(g.input) → \(g.outputChannels) channels"
            case .add: return "addition"
            case let .activation(a): return "activation \(a)"
            case let .maxPool(g):
                return "max pool \(g.kernel)×\(g.kernel) stride \(g.stride) padding \(g.padding)\(g.ceilMode ? " ceil" : "") on \(g.input)"
            case let .averagePool(g, include):
                return
                    "average pool \(g.kernel)×\(g.kernel) stride \(g.stride) padding \(g.padding)\(include ? "" : " excluding padding") on \(g.input)"
            case .globalAveragePool: return "global average pool"
            case .concat: return "channel concatenation"
            case let .channelSlice(offset, count): return "channels \(offset)..<\(offset + count)"
            case let .channelShuffle(groups): return "channel shuffle in \(groups) groups"
            case .scaleChannels: return "channel scaling (squeeze-and-excitation)"
            }
        }
    }

    struct Node {
        var operation: Operation
        var inputs: [Int]
        var shape: FeatureMapShape
        /// Where it comes from: a LiteDetect layer name, or an ONNX node's index.
        var origin: Int
        var label: String
    }

    private(set) var nodes: [Node] = []
    /// Named outputs (LiteDetect's `boxes.<level>`, `scores.<level>`…).
    var outputs: [String: Int] = [:]

    /// Adds a node, applying the normalisations (activations pushed into concatenations,
    /// identities dropped); returns the index that stands for its output.
    mutating func add(_ operation: Operation, _ inputs: [Int], shape: FeatureMapShape, origin: Int, label: String) -> Int {
        if case let .activation(activation) = operation {
            if activation == .identity { return inputs[0] }
            let operand = nodes[inputs[0]]
            if operand.operation == .concat {
                // One level: both sides lower the same way, so nested concatenations need no more.
                let parts = operand.inputs.map { append(.activation(activation), [$0], shape: nodes[$0].shape, origin: origin, label: label) }
                return append(.concat, parts, shape: shape, origin: operand.origin, label: operand.label)
            }
        }
        return append(operation, inputs, shape: shape, origin: origin, label: label)
    }

    private mutating func append(_ operation: Operation, _ inputs: [Int], shape: FeatureMapShape, origin: Int, label: String) -> Int {
        nodes.append(Node(operation: operation, inputs: inputs, shape: shape, origin: origin, label: label))
        return nodes.count - 1
    }
}

extension FeatureGraph {
    /// LiteDetect's network, lowered: `convolutions` maps each convolution node to its layer name.
    init(network: Network, convolutions: inout [Int: String]) {
        self.init()
        var value: [Value: Int] = [:]
        let steps = network.operations
        value[network.input] = add(.input, [], shape: network.inputShape, origin: -1, label: "input")
        for (index, step) in steps.enumerated() {
            let shape = network.shape(of: step.output)
            let operation = step.operation
            func v(_ x: Value) -> Int { value[x]! }
            let label = "LiteDetect operation \(index)"
            switch operation {
            case let .convolution(layer, x, residual):
                var node = add(.convolution(layer.geometry), [v(x)], shape: shape, origin: index, label: layer.name)
                convolutions[node] = layer.name
                if let residual { node = add(.add, [node, v(residual)], shape: shape, origin: index, label: layer.name + " + residual") }
                value[step.output] = add(.activation(layer.activation), [node], shape: shape, origin: index, label: layer.name)
            case let .maxPool(geometry, x):
                value[step.output] = add(.maxPool(geometry), [v(x)], shape: shape, origin: index, label: label)
            case let .averagePool(geometry, include, x):
                value[step.output] = add(.averagePool(geometry, countIncludePadding: include), [v(x)], shape: shape, origin: index, label: label)
            case let .globalAveragePool(x):
                value[step.output] = add(.globalAveragePool, [v(x)], shape: shape, origin: index, label: label)
            case let .add(a, b, activation):
                let sum = add(.add, [v(a), v(b)], shape: shape, origin: index, label: label)
                value[step.output] = add(.activation(activation), [sum], shape: shape, origin: index, label: label)
            case let .activation(x, activation):
                value[step.output] = add(.activation(activation), [v(x)], shape: shape, origin: index, label: label)
            case let .concat(parts):
                value[step.output] = add(.concat, parts.map(v), shape: shape, origin: index, label: label)
            case let .channelSlice(x, offset, count):
                value[step.output] = add(.channelSlice(offset: offset, count: count), [v(x)], shape: shape, origin: index, label: label)
            case let .channelShuffle(x, groups):
                value[step.output] = add(.channelShuffle(groups: groups), [v(x)], shape: shape, origin: index, label: label)
            case let .scaleChannels(x, scales):
                value[step.output] = add(.scaleChannels, [v(x), v(scales)], shape: shape, origin: index, label: label)
            }
        }
        outputs = network.outputs.mapValues { value[$0]! }
    }
}

/// Pairs the nodes of two feature graphs that compute the same thing, walking back from pairs of
/// outputs: equal operations (whole geometries), equal shapes, and inputs that pair in turn.
/// Additions may take their operands in either order. The pairing is one to one.
struct FeatureGraphMatcher {
    let lite: FeatureGraph
    let onnx: FeatureGraph
    private(set) var liteToONNX: [Int: Int] = [:]
    private(set) var onnxToLite: [Int: Int] = [:]
    private var log: [Int] = []
    /// Why the last pairing failed, for the error message: where the two graphs part.
    private(set) var mismatch: (lite: Int, onnx: Int, problem: String)?

    init(lite: FeatureGraph, onnx: FeatureGraph) {
        self.lite = lite
        self.onnx = onnx
    }

    /// Pairs output `l` of LiteDetect's graph with output `o` of the ONNX graph, and everything
    /// both depend on; on failure, `mismatch` says where.
    mutating func matchOutput(_ l: Int, _ o: Int) -> Bool {
        mismatch = nil
        return match(l, o)
    }

    private mutating func match(_ l: Int, _ o: Int) -> Bool {
        if let known = liteToONNX[l] {
            if known == o { return true }
            return fail(l, o, "LiteDetect reads this value where the ONNX graph reads another node's output (\(onnx.nodes[known].label))")
        }
        if let known = onnxToLite[o] {
            return fail(l, o, "the ONNX graph reads this output where LiteDetect reads a different value (\(lite.nodes[known].label))")
        }
        let a = lite.nodes[l], b = onnx.nodes[o]
        guard a.operation == b.operation else {
            return fail(l, o, "is \(b.operation); LiteDetect's \(a.label) is \(a.operation)")
        }
        guard a.shape == b.shape, a.inputs.count == b.inputs.count else {
            return fail(l, o, "gives \(b.shape) from \(b.inputs.count) inputs; LiteDetect's \(a.label) gives \(a.shape) from \(a.inputs.count)")
        }
        liteToONNX[l] = o
        onnxToLite[o] = l
        log.append(l)
        guard a.operation == .add else { return matchAll(a.inputs, b.inputs) }
        // An addition's operands may come in either order: the order whose operands look alike
        // first, and if both fail, the error of the likelier one.
        let mark = log.count, before = mismatch
        let straight = b.inputs, swapped = [b.inputs[1], b.inputs[0]]
        let orders = resemblance(a.inputs, swapped) > resemblance(a.inputs, straight) ? [swapped, straight] : [straight, swapped]
        if matchAll(a.inputs, orders[0]) {
            mismatch = before
            return true
        }
        let likelier = mismatch
        rollback(to: mark)
        if matchAll(a.inputs, orders[1]) {
            mismatch = before
            return true
        }
        mismatch = likelier
        return false
    }

    /// How many operand pairs are already paired (2 each) or have the same operation and shape (1 each).
    private func resemblance(_ ls: [Int], _ os: [Int]) -> Int {
        zip(ls, os).reduce(0) { score, pair in
            let (l, o) = pair
            if liteToONNX[l] == o { return score + 2 }
            if liteToONNX[l] != nil || onnxToLite[o] != nil { return score }
            return score + (lite.nodes[l].operation == onnx.nodes[o].operation && lite.nodes[l].shape == onnx.nodes[o].shape ? 1 : 0)
        }
    }

    private mutating func matchAll(_ ls: [Int], _ os: [Int]) -> Bool {
        for (l, o) in zip(ls, os) where !match(l, o) { return false }
        return true
    }

    private mutating func rollback(to mark: Int) {
        while log.count > mark {
            let l = log.removeLast()
            if let o = liteToONNX.removeValue(forKey: l) { onnxToLite.removeValue(forKey: o) }
        }
    }

    private mutating func fail(_ l: Int, _ o: Int, _ problem: String) -> Bool {
        mismatch = (l, o, problem)
        return false
    }
}
