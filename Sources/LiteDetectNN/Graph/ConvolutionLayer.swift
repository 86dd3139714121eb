import LiteDetectKernels

/// A convolution ready to run: BatchNorm folded into the weights and bias, weights repacked
/// once into the engine's layout, activation fused. Immutable and shareable across threads.
///
/// The layer runs on the fast kernel its geometry calls for (`FastConvolution.Kernel.preferred`):
/// the weights are repacked for it here, at load, so running allocates and repacks nothing.
package final class ConvolutionLayer: Sendable {
    /// The weights' key prefix in the source file (e.g. `features.3.conv.1`), for profiles and errors.
    package let name: String
    package let geometry: ConvolutionGeometry
    package let activation: Activation
    /// `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`.
    package let weights: [Float]
    /// One value per output channel (zeros when the layer had neither bias nor BatchNorm).
    package let bias: [Float]
    /// The same weights packed for the kernel that runs this layer.
    let fastConvolution: FastConvolution

    /// - Parameter precision: `.bfloat16` runs the layer in bfloat16 where its kernel has a
    ///   bfloat16 variant (`FastConvolution.hasBFloat16Variant`), in float32 otherwise.
    package init(
        name: String, geometry: ConvolutionGeometry, activation: Activation, weights: [Float], bias: [Float],
        precision: KernelPrecision = .float32
    ) {
        precondition(weights.count == geometry.weightCount && bias.count == geometry.outputChannels, "packed weights do not fit \(geometry)")
        self.name = name
        self.geometry = geometry
        self.activation = activation
        self.weights = weights
        self.bias = bias
        self.fastConvolution = FastConvolution(
            geometry: geometry, activation: activation, weights: weights, bias: bias, precision: precision)
    }

    /// Which fast kernel runs this layer (for profiles).
    package var kernel: FastConvolution.Kernel { fastConvolution.kernel }
    /// What the layer multiplies in (bfloat16 only where asked for and its kernel has a variant).
    package var precision: KernelPrecision { fastConvolution.precision }

    /// Computes the layer (plus `residual`, if any) into `output`; with `threads`, large layers
    /// are split across them, each thread working in its slot of `workspace`.
    func run(
        input: FeatureMapView, output: FeatureMapView, residual: FeatureMapView? = nil, threads: KernelThreadPool? = nil,
        workspace: KernelWorkspace
    ) {
        fastConvolution.run(input: input, output: output, residual: residual, threads: threads, workspace: workspace)
    }
}
