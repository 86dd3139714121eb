import LiteDetectKernels

/// One step of a network. The set is closed: everything the supported backbones and heads do
/// is a composition of these (squeeze-and-excitation = global pool → 1×1 convs → `scaleChannels`).
package enum Operation: Sendable {
    /// `activation(conv(input) + bias + residual)`; the residual (same shape as the output) is
    /// the inverted-residual skip connection, fused so it costs no extra pass over memory.
    case convolution(ConvolutionLayer, input: Value, residual: Value?)
    case maxPool(PoolGeometry, input: Value)
    /// `countIncludePadding` as PyTorch's `count_include_pad` (its default is `true`).
    case averagePool(PoolGeometry, countIncludePadding: Bool, input: Value)
    case globalAveragePool(input: Value)
    case add(Value, Value, activation: Activation)
    /// An activation on its own, where it cannot be fused into the producer.
    case activation(Value, Activation)
    /// Channel concatenation in the order given.
    case concat([Value])
    /// Channels `offset ..< offset + count` of the input (a ShuffleNet V2 split half).
    case channelSlice(input: Value, offset: Int, count: Int)
    case channelShuffle(input: Value, groups: Int)
    /// `input[y, x, c] · scales[0, 0, c]`, `scales` being a `1×1×C` value.
    case scaleChannels(input: Value, scales: Value)

    package var inputs: [Value] {
        switch self {
        case let .convolution(_, input, residual):
            return residual.map { [input, $0] } ?? [input]
        case let .maxPool(_, input), let .averagePool(_, _, input),
            let .globalAveragePool(input), let .activation(input, _), let .channelSlice(input, _, _), let .channelShuffle(input, _):
            return [input]
        case let .add(a, b, _): return [a, b]
        case let .concat(values): return values
        case let .scaleChannels(input, scales): return [input, scales]
        }
    }

    package var multiplyAccumulates: Int {
        if case let .convolution(layer, _, _) = self { return layer.geometry.multiplyAccumulates }
        return 0
    }
}
