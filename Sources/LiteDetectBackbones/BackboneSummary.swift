import LiteDetectKernels
import LiteDetectNN

/// Size and cost of a backbone's feature extractor (no classifier) at a square input size.
package struct BackboneSummary: Sendable {
    package var configuration: BackboneConfiguration
    package var parameters: Int
    package var multiplyAccumulates: Int
    package var stride16: FeatureMapShape
    package var stride32: FeatureMapShape

    /// Builds the backbone with placeholder weights to count; nothing is run.
    package init(_ configuration: BackboneConfiguration, inputSize: Int) throws {
        let g = GraphBuilder(weights: SeededRandomWeights())
        let input = g.input(FeatureMapShape(height: inputSize, width: inputSize, channels: 3))
        let features = try Backbones.build(configuration, on: g, input: input)
        let network = try g.build(outputs: ["stride16": features.stride16, "stride32": features.stride32])
        self.configuration = configuration
        parameters = network.parameterCount
        multiplyAccumulates = network.multiplyAccumulates
        stride16 = network.shape(of: features.stride16)
        stride32 = network.shape(of: features.stride32)
    }
}
