internal import CLiteDetectKernels

/// A convolution whose weights are repacked, once, for one of the vectorised kernels; `run`
/// then computes exactly what `ReferenceConvolution.run` computes (up to summation order),
/// optionally with a residual added before the activation, and allocates nothing.
///
/// Immutable and `Sendable`: build it when a network is loaded and share it between threads.
package struct FastConvolution: Sendable {
    /// The vectorised kernels, each vectorised over a channel dimension.
    package enum Kernel: String, Sendable, CaseIterable {
        /// 1×1, stride 1, no padding, any groups: a GEMM per group over pixels × input channels,
        /// with the output channels (in 32-wide panels) as the vector dimension.
        case pointwise
        /// groups = input channels = output channels: one vector holds neighbouring channels of a pixel.
        case depthwise
        /// Any geometry: output-channel panels times tiles of output pixels, no im2col.
        case direct
        /// 3×3, stride 1, groups 1, any padding, at most 256 input channels: Winograd
        /// F(2×2, 3×3), 16 multiplies per 2×2 output tile and channel pair instead of 36.
        case winograd

        /// Whether this kernel can run `geometry`.
        package func supports(_ geometry: ConvolutionGeometry) -> Bool {
            switch self {
            case .pointwise: return geometry.isPointwise
            case .depthwise: return geometry.isDepthwise
            case .direct: return true
            case .winograd:
                return geometry.kernelHeight == 3 && geometry.kernelWidth == 3 && geometry.stride == 1 && geometry.groups == 1
                    && geometry.input.channels <= Int(LDK_WINOGRAD_MAX_INPUT_CHANNELS)
            }
        }

        /// The fastest kernel for `geometry`.
        package static func preferred(for geometry: ConvolutionGeometry) -> Kernel {
            if geometry.isPointwise { return .pointwise }
            if geometry.isDepthwise { return .depthwise }
            if Kernel.winograd.supports(geometry) && winogradPaysOff(geometry) { return .winograd }
            return .direct
        }

        /// Where Winograd beat the direct kernel (one thread, AVX-512; docs/PERFORMANCE.md,
        /// "Winograd"): its transforms cost per tile and channel, and a 2×2 tile on a 1×1 or 2×2
        /// map is mostly padding, so it needs ≥ 16 input channels and an output of ≥ 3×3 pixels.
        static func winogradPaysOff(_ geometry: ConvolutionGeometry) -> Bool {
            let output = geometry.output
            return geometry.input.channels >= 16 && geometry.outputChannels >= 4 && min(output.height, output.width) >= 3
        }
    }

    package let geometry: ConvolutionGeometry
    package let activation: Activation
    package let kernel: Kernel
    /// The precision this convolution multiplies in: bfloat16 where it was asked for and the
    /// kernel has a bfloat16 variant (`KernelPrecision.bfloat16`), else float32.
    package let precision: KernelPrecision
    /// The weights in `kernel`'s layout (see `CLiteDetectKernels.h`): output-channel panels
    /// `[group][panel][tap][input/groups][32]`, depthwise `[16-channel block][tap][16]` or
    /// Winograd `[position][panel][input][32]`; in bfloat16 (`UInt16` values), panels
    /// `[group][panel][kernel row][pair][32][2]` or Winograd `[position][panel][input pair][32][2]`.
    private let packedWeights: FastAlignedBuffer
    /// The bias padded to the same layout's output-channel granularity.
    private let packedBias: FastAlignedBuffer

    /// Whether `kernel` has a bfloat16 variant that can run `geometry`: the GEMM and Winograd
    /// always, the direct convolution when one output row's input rows fit its scratch; depthwise
    /// never (one multiply per loaded value: memory, not arithmetic, bounds it).
    package static func hasBFloat16Variant(_ kernel: Kernel, for geometry: ConvolutionGeometry) -> Bool {
        switch kernel {
        case .pointwise: return true
        case .direct:
            return ldk_direct_bf16_fits(
                geometry.kernelHeight, geometry.kernelWidth, geometry.stride, geometry.output.width,
                geometry.inputChannelsPerGroup) != 0
        case .winograd: return true
        case .depthwise: return false
        }
    }

    /// Repacks weights for `kernel` (by default the preferred one for `geometry`).
    ///
    /// - Parameters:
    ///   - weights: `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`, as for
    ///     `ReferenceConvolution`.
    ///   - bias: one value per output channel, or `nil` for none.
    ///   - precision: `.bfloat16` runs the kernel's bfloat16 variant where it has one
    ///     (`hasBFloat16Variant`) and float32 elsewhere; it must be supported by this CPU.
    package init(
        geometry: ConvolutionGeometry, activation: Activation, weights: [Float], bias: [Float]?, kernel: Kernel? = nil,
        precision: KernelPrecision = .float32
    ) {
        precondition(geometry.problem == nil, "invalid convolution \(geometry): \(geometry.problem ?? "")")
        precondition(weights.count == geometry.weightCount, "\(weights.count) weights do not fit \(geometry)")
        precondition(bias.map { $0.count == geometry.outputChannels } ?? true, "bias does not have \(geometry.outputChannels) values")
        let kernel = kernel ?? Kernel.preferred(for: geometry)
        precondition(kernel.supports(geometry), "the \(kernel) kernel cannot run \(geometry)")
        precondition(precision.isSupported, precision.unsupportedReason ?? "")
        // The GEMM blocks for this CPU's caches: read them now, at load, not in the first frame.
        _ = ldk_cpu()
        self.geometry = geometry
        self.activation = activation
        self.kernel = kernel
        let precision: KernelPrecision = precision == .bfloat16 && Self.hasBFloat16Variant(kernel, for: geometry) ? .bfloat16 : .float32
        self.precision = precision

        let taps = geometry.kernelHeight * geometry.kernelWidth
        let weightCount: Int, biasCount: Int
        switch kernel {
        case .pointwise where precision == .bfloat16, .direct where precision == .bfloat16:
            let values = ldk_panel_bf16_weight_count(
                geometry.outputChannels, geometry.groups, geometry.kernelHeight, geometry.kernelWidth, geometry.inputChannelsPerGroup)
            weightCount = values
            biasCount = ldk_panel_bias_count(geometry.outputChannels, geometry.groups)
        case .pointwise, .direct:
            weightCount = ldk_panel_weight_count(geometry.outputChannels, geometry.groups, taps, geometry.inputChannelsPerGroup)
            biasCount = ldk_panel_bias_count(geometry.outputChannels, geometry.groups)
        case .depthwise:
            weightCount = ldk_depthwise_weight_count(geometry.outputChannels, taps)
            biasCount = ldk_depthwise_bias_count(geometry.outputChannels)
        case .winograd where precision == .bfloat16:
            weightCount = ldk_winograd_bf16_weight_count(geometry.outputChannels, geometry.input.channels)
            biasCount = ldk_winograd_bias_count(geometry.outputChannels)
        case .winograd:
            weightCount = ldk_winograd_weight_count(geometry.outputChannels, geometry.input.channels)
            biasCount = ldk_winograd_bias_count(geometry.outputChannels)
        }
        let packedWeights =
            precision == .bfloat16
            ? FastAlignedBuffer(bfloat16Count: weightCount) : FastAlignedBuffer(count: weightCount)
        let packedBias = FastAlignedBuffer(count: biasCount)
        let biasValues = bias ?? [Float](repeating: 0, count: geometry.outputChannels)
        switch kernel {
        case .pointwise where precision == .bfloat16, .direct where precision == .bfloat16:
            ldk_pack_panels_bf16(
                weights, biasValues, geometry.outputChannels, geometry.groups, geometry.kernelHeight, geometry.kernelWidth,
                geometry.inputChannelsPerGroup, packedWeights.bfloat16Base, packedBias.base)
        case .pointwise, .direct:
            ldk_pack_panels(
                weights, biasValues, geometry.outputChannels, geometry.groups, taps, geometry.inputChannelsPerGroup,
                packedWeights.base, packedBias.base)
        case .depthwise:
            ldk_pack_depthwise(weights, biasValues, geometry.outputChannels, taps, packedWeights.base, packedBias.base)
        case .winograd where precision == .bfloat16:
            ldk_pack_winograd_bf16(
                weights, biasValues, geometry.outputChannels, geometry.input.channels, packedWeights.bfloat16Base, packedBias.base)
        case .winograd:
            ldk_pack_winograd(weights, biasValues, geometry.outputChannels, geometry.input.channels, packedWeights.base, packedBias.base)
        }
        self.packedWeights = packedWeights
        self.packedBias = packedBias
    }

    /// `output = activation(convolution(input) + bias + residual)`.
    ///
    /// - Parameters:
    ///   - input: shaped `geometry.input`; any pixel stride. Must not overlap `output`.
    ///   - output: shaped `geometry.output`; any pixel stride. Only its channels are written.
    ///   - residual: shaped `geometry.output`, added before the activation (an inverted
    ///     residual's skip connection); it may be the same memory as `output`.
    ///   - threads: a pool to split large convolutions across, or `nil` to run on the calling
    ///     thread only. The result does not depend on it.
    ///   - workspace: the kernel's working memory, for as many threads as `threads` has
    ///     (`KernelWorkspace.covers`); not used by another caller at the same time.
    ///   - instructionSet: which compiled variant runs; one this CPU lacks falls back to the best it has.
    package func run(
        input: FeatureMapView, output: FeatureMapView, residual: FeatureMapView? = nil,
        threads: KernelThreadPool? = nil, workspace: KernelWorkspace, instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(input.shape == geometry.input && output.shape == geometry.output, "convolution views do not match \(geometry)")
        precondition(residual.map { $0.shape == geometry.output } ?? true, "residual does not match \(geometry.output)")
        precondition(
            workspace.covers(self, threads: threads?.threadCount ?? 1),
            "the workspace (\(workspace.threadCount) × \(workspace.bytesPerThread) bytes) is too small for the \(kernel) kernel")
        var call = cConvolution(input: input, output: output, residual: residual, padTop: geometry.padding.top)
        var cWorkspace = workspace.cValue
        ldk_convolve(cKernel, instructionSet.cValue, &call, threads?.pool, &cWorkspace)
    }

    /// Bytes of `KernelWorkspace` each thread running this convolution needs (0 for most kernels).
    package var workspaceBytesPerThread: Int { ldk_kernel_workspace_bytes(cKernel) }

    /// The C kernels' description of this convolution from `input` to `output`, which may be
    /// bands of the layer's maps: `padTop` rows of zeros lie above `input`, and rows past its end
    /// read as zeros, so a band with the rows its outputs need computes exactly those outputs.
    func cConvolution(input: FeatureMapView, output: FeatureMapView, residual: FeatureMapView?, padTop: Int) -> ldk_convolution {
        precondition(
            input.width == geometry.input.width && input.channels == geometry.input.channels
                && output.width == geometry.output.width && output.channels == geometry.output.channels && padTop >= 0,
            "convolution views do not match \(geometry)")
        precondition(residual.map { $0.shape == output.shape } ?? true, "residual does not match the output \(output.shape)")
        let bfloat16 = precision == .bfloat16
        return ldk_convolution(
            input: input.cMap, output: output.cMap,
            residual: residual?.cMap ?? ldk_feature_map(base: nil, height: 0, width: 0, channels: 0, pixel_stride: 0),
            packed_weights: bfloat16 ? nil : packedWeights.base,
            packed_bf16_weights: bfloat16 ? UnsafePointer(packedWeights.bfloat16Base) : nil,
            packed_bias: packedBias.base,
            kernel_height: geometry.kernelHeight, kernel_width: geometry.kernelWidth, stride: geometry.stride,
            pad_top: padTop, pad_left: geometry.padding.left, groups: geometry.groups,
            activation: activation.cValue)
    }

    var cKernel: ldk_kernel {
        switch (kernel, precision) {
        case (.pointwise, .float32): return LDK_KERNEL_POINTWISE
        case (.pointwise, .bfloat16): return LDK_KERNEL_POINTWISE_BF16
        case (.depthwise, _): return LDK_KERNEL_DEPTHWISE
        case (.direct, .float32): return LDK_KERNEL_DIRECT
        case (.direct, .bfloat16): return LDK_KERNEL_DIRECT_BF16
        case (.winograd, .float32): return LDK_KERNEL_WINOGRAD
        case (.winograd, .bfloat16): return LDK_KERNEL_WINOGRAD_BF16
        }
    }
}
