internal import CLiteDetectKernels

/// The number format the convolutions multiply in. Sums are float32 either way, and so are the
/// feature maps between layers.
public enum KernelPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// float32 weights and inputs: results match the reference convolution up to summation order.
    case float32 = "f32"
    /// Weights rounded to bfloat16 at load and each layer's input rounded to bfloat16 as it is
    /// read, products summed in float32 (AVX512_BF16's VDPBF16PS): up to twice the multiplies per
    /// instruction, half the weight memory, and a relative error of at most 2⁻⁷ + 2⁻¹⁶ per product.
    /// 1×1, full and Winograd convolutions run in bfloat16; depthwise layers stay float32.
    case bfloat16 = "bf16"

    public var description: String { rawValue }

    /// Why this CPU (or the `LITEDETECT_ISA` cap) cannot run this precision; `nil` when it can.
    public var unsupportedReason: String? {
        switch self {
        case .float32:
            return nil
        case .bfloat16:
            if ldk_bf16_is_supported() != 0 { return nil }
            if KernelInstructionSet.environmentCap.map({ $0 < .avx512 }) ?? false {
                return "bf16 needs AVX-512 with AVX512_BF16, and \(KernelInstructionSet.environmentVariable)="
                    + "\(KernelInstructionSet.environmentValue ?? "") limits the kernels to \(KernelInstructionSet.selected)"
            }
            return "bf16 needs a CPU with AVX512_BF16 (VDPBF16PS), which this CPU (\(CPUDescription.current.model)) lacks"
        }
    }

    public var isSupported: Bool { unsupportedReason == nil }
}
