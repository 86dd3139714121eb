internal import CLiteDetectKernels

/// The channel and element-wise operations through the vectorised C kernels
/// (`elementwise_body.h`, `shuffle_body.h`): the same float operations as `ReferenceChannelOps`,
/// so the same values bit for bit on inputs without NaN. Allocates nothing.
///
/// Views may have any pixel stride (channel slices of wider maps). An output may be the same
/// memory as an input of `add`, `activation` and `scaleChannels`, never a shifted overlap.
///
/// - Parameter instructionSet: which compiled variant runs; one this CPU lacks falls back to the best it has.
package enum FastChannelOps {
    /// `output = activation(a + b)`, element-wise; all three views have the same shape.
    package static func add(
        _ a: FeatureMapView, _ b: FeatureMapView, activation: Activation, output: FeatureMapView,
        instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(a.shape == b.shape && a.shape == output.shape, "add needs equal shapes")
        ldk_add(instructionSet.cValue, a.cMap, b.cMap, output.cMap, activation.cValue)
    }

    /// `output = activation(input)`, element-wise; both views have the same shape.
    package static func activation(
        _ input: FeatureMapView, _ activation: Activation, output: FeatureMapView,
        instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(input.shape == output.shape, "activation needs equal shapes")
        ldk_apply_activation(instructionSet.cValue, input.cMap, output.cMap, activation.cValue)
    }

    /// Copies `source` into `destination` (same shape; strides may differ): how concatenation
    /// fills a channel slice of its output and a split reads one.
    package static func copy(
        _ source: FeatureMapView, to destination: FeatureMapView, instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(source.shape == destination.shape, "copy needs equal shapes")
        ldk_apply_activation(instructionSet.cValue, source.cMap, destination.cMap, LDK_ACTIVATION_IDENTITY)
    }

    /// ShuffleNet's channel shuffle (see `ReferenceChannelOps.shuffle`). `input` and `output`
    /// must not overlap.
    package static func shuffle(
        _ input: FeatureMapView, groups: Int, output: FeatureMapView, instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(input.shape == output.shape && input.channels % groups == 0, "shuffle needs equal shapes divisible by groups")
        ldk_channel_shuffle(instructionSet.cValue, input.cMap, groups, output.cMap)
    }

    /// `output[y, x, c] = input[y, x, c] · scales[c]`: the excitation step of squeeze-and-excitation.
    package static func scaleChannels(
        _ input: FeatureMapView, scales: UnsafePointer<Float>, output: FeatureMapView,
        instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(input.shape == output.shape, "scale needs equal shapes")
        ldk_scale_channels(instructionSet.cValue, input.cMap, scales, output.cMap)
    }
}
