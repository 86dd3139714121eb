import LiteDetectKernels

/// A network ready to run: operations with packed weights and a memory plan. Immutable and
/// `Sendable` — load it once, share it, and give each thread its own `NetworkSession`.
package final class Network: Sendable {
    package let input: Value
    package let outputs: [String: Value]
    /// Learned parameters as defined in the source model (BatchNorm scale and shift included,
    /// running statistics not), counted before folding.
    package let parameterCount: Int
    let shapes: [FeatureMapShape]
    let steps: [Step]
    let plan: MemoryPlan
    /// How chains of large maps run (`Banding`), and the chains found.
    let banding: Banding
    let bandedChains: [ClosedRange<Int>]

    struct Step: Sendable {
        let operation: Operation
        let output: Value
    }

    init(
        input: Value, shapes: [FeatureMapShape], steps: [(operation: Operation, output: Value)], outputs: [String: Value],
        parameterCount: Int, banding: Banding = .automatic
    ) {
        self.input = input
        self.outputs = outputs
        self.parameterCount = parameterCount
        self.shapes = shapes
        self.steps = steps.map { Step(operation: $0.operation, output: $0.output) }
        let pinned = Set(outputs.values).union([input])
        let chains = banding.chains(shapes: shapes, steps: steps, pinned: pinned)
        self.banding = banding
        self.bandedChains = chains
        self.plan = MemoryPlan(shapes: shapes, steps: steps, pinned: pinned, bandedChains: chains)
    }

    /// The steps as the planners take them.
    var stepList: [(operation: Operation, output: Value)] { steps.map { ($0.operation, $0.output) } }

    package var inputShape: FeatureMapShape { shapes[input.id] }
    package func shape(of value: Value) -> FeatureMapShape { shapes[value.id] }
    package func outputShape(_ name: String) -> FeatureMapShape? { outputs[name].map { shapes[$0.id] } }

    /// Multiply-accumulates of one forward pass (convolutions and linear layers).
    package var multiplyAccumulates: Int { steps.reduce(0) { $0 + $1.operation.multiplyAccumulates } }
    /// Floats of working memory one session holds.
    package var arenaFloatCount: Int { plan.arenaSize }
    package var operationCount: Int { steps.count }

    /// Indices (in execution order) of the operations that run band by band (`Banding`).
    package var bandedOperationIndices: [Int] { bandedChains.flatMap { Array($0) } }

    /// A short description of each operation, in execution order (for per-layer profiles).
    package var operationNames: [String] {
        let banded = Set(bandedOperationIndices)
        return steps.indices.map { index in
            let name = operationName(steps[index])
            return banded.contains(index) ? name + " (banded)" : name
        }
    }

    private func operationName(_ step: Step) -> String {
        let shape = shapes[step.output.id]
        switch step.operation {
        case let .convolution(layer, _, _):
            let g = layer.geometry
            let kind = g.isDepthwise ? "dwconv" : g.kernelHeight == 1 && g.kernelWidth == 1 ? (g.groups > 1 ? "gconv1x1" : "conv1x1") : "conv"
            let precision = layer.precision == .bfloat16 ? " bf16" : ""
            return "\(kind)\(precision) \(g.kernelHeight)x\(g.kernelWidth)/\(g.stride) \(layer.name) → \(shape)"
        case .maxPool: return "maxpool → \(shape)"
        case .averagePool: return "avgpool → \(shape)"
        case .globalAveragePool: return "global avgpool → \(shape)"
        case .add: return "add → \(shape)"
        case .activation: return "activation → \(shape)"
        case .concat: return "concat → \(shape)"
        case .channelSlice: return "channel slice → \(shape)"
        case .channelShuffle: return "channel shuffle → \(shape)"
        case .scaleChannels: return "scale channels → \(shape)"
        }
    }

    /// Multiply-accumulates of the convolutions that multiply in `precision` (with bfloat16 asked
    /// for, the layers without a bfloat16 kernel run in float32).
    package func multiplyAccumulates(in precision: KernelPrecision) -> Int {
        steps.reduce(0) { total, step in
            guard case let .convolution(layer, _, _) = step.operation, layer.precision == precision else { return total }
            return total + step.operation.multiplyAccumulates
        }
    }

    /// Multiply-accumulates of each operation, in execution order.
    package var operationMultiplyAccumulates: [Int] { steps.map(\.operation.multiplyAccumulates) }
}
