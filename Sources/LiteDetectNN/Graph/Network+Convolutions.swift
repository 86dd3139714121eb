import LiteDetectKernels

extension Network {
    /// One convolution as built, and the convolutions whose outputs reach its input: through
    /// activations and additions, and through its own fused residual. Importers compare this
    /// wiring with the source model's graph.
    package struct ConvolutionSummary: Sendable, Hashable {
        package let name: String
        package let geometry: ConvolutionGeometry
        package let activation: Activation
        /// Names of the convolutions feeding this one; `"input"` for the network input. An
        /// operation other than an activation or an addition in between appears by its kind.
        package let producers: Set<String>
        /// The producers of the fused residual added to this convolution's output (empty: none).
        package let residualProducers: Set<String>
    }

    /// Every operation in execution order with the value it writes: the whole wiring, for
    /// importers that compare a source graph with the network built from it.
    package var operations: [(operation: Operation, output: Value)] { stepList }

    /// Every convolution in execution order, with its wiring.
    package var convolutionSummaries: [ConvolutionSummary] {
        var producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { producer[step.output.id] = index }
        var memo: [Int: Set<String>] = [:]
        func sources(_ value: Value) -> Set<String> {
            if let known = memo[value.id] { return known }
            var result: Set<String>
            if value == input {
                result = ["input"]
            } else if let index = producer[value.id] {
                switch steps[index].operation {
                case let .convolution(layer, _, residual): result = Set([layer.name]).union(residual.map(sources) ?? [])
                case let .add(a, b, _): result = sources(a).union(sources(b))
                case let .activation(x, _): result = sources(x)
                case let other: result = [String(describing: other).prefix { $0 != "(" }.description]
                }
            } else {
                result = ["unknown"]
            }
            memo[value.id] = result
            return result
        }
        return steps.compactMap { step in
            guard case let .convolution(layer, x, residual) = step.operation else { return nil }
            return ConvolutionSummary(
                name: layer.name, geometry: layer.geometry, activation: layer.activation, producers: sources(x),
                residualProducers: residual.map(sources) ?? [])
        }
    }
}
