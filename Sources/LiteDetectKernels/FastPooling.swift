internal import CLiteDetectKernels

/// Pooling through the vectorised C kernels (`pool_body.h`): the same windows, taps and order as
/// `ReferencePooling`, so the same values bit for bit on inputs without NaN. Allocates nothing.
///
/// - Parameter instructionSet: which compiled variant runs; one this CPU lacks falls back to the best it has.
package enum FastPooling {
    /// Max pool; padding never wins. `input` and `output` must not overlap.
    package static func max(
        _ geometry: PoolGeometry, input: FeatureMapView, output: FeatureMapView,
        instructionSet: KernelInstructionSet = .selected
    ) {
        run(geometry, LDK_POOL_MAX, input: input, output: output, instructionSet: instructionSet)
    }

    /// Average pool, dividing by the window clipped to the padded input (`countIncludePadding`,
    /// PyTorch's default) or by the input pixels inside it. `input` and `output` must not overlap.
    package static func average(
        _ geometry: PoolGeometry, countIncludePadding: Bool, input: FeatureMapView, output: FeatureMapView,
        instructionSet: KernelInstructionSet = .selected
    ) {
        let kind = countIncludePadding ? LDK_POOL_AVERAGE_INCLUDING_PADDING : LDK_POOL_AVERAGE_EXCLUDING_PADDING
        run(geometry, kind, input: input, output: output, instructionSet: instructionSet)
    }

    /// Mean over all pixels, per channel: `H×W×C → 1×1×C`, written to `output[0 ..< C]`.
    package static func globalAverage(
        input: FeatureMapView, output: UnsafeMutablePointer<Float>, instructionSet: KernelInstructionSet = .selected
    ) {
        ldk_global_average_pool(instructionSet.cValue, input.cMap, output)
    }

    private static func run(
        _ geometry: PoolGeometry, _ kind: ldk_pool_kind, input: FeatureMapView, output: FeatureMapView,
        instructionSet: KernelInstructionSet
    ) {
        precondition(input.shape == geometry.input && output.shape == geometry.output, "pool views do not match geometry")
        var pooling = cPooling(geometry, kind, input: input, output: output, padTop: geometry.padding.top)
        ldk_pool(instructionSet.cValue, &pooling)
    }

    /// The C kernels' description of a pool from `input` to `output`, which may be bands of the
    /// geometry's maps: `padTop` rows of padding lie above `input`. For a max pool, rows past
    /// the band's end count as outside the image; average pools need whole maps (their divisor
    /// depends on where the image ends).
    static func cPooling(
        _ geometry: PoolGeometry, _ kind: ldk_pool_kind, input: FeatureMapView, output: FeatureMapView, padTop: Int
    ) -> ldk_pooling {
        precondition(
            input.width == geometry.input.width && input.channels == geometry.input.channels
                && output.width == geometry.output.width && output.channels == geometry.output.channels && padTop >= 0,
            "pool views do not match geometry")
        let padding = geometry.padding
        return ldk_pooling(
            input: input.cMap, output: output.cMap, kernel: geometry.kernel, stride: geometry.stride,
            pad_top: padTop, pad_left: padding.left, pad_bottom: padding.bottom, pad_right: padding.right, kind: kind)
    }
}
