internal import CLiteDetectKernels

/// The instruction sets the fast convolution kernels are compiled for, worst first.
///
/// Every kernel exists once per case; the best one this CPU (and OS) supports is detected once,
/// at first use, and used by default. Which one was chosen is worth printing next to timings.
public enum KernelInstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Plain C with 4-lane vector extensions: SSE2 on any x86-64, NEON on arm64.
    case portable = 0
    /// AVX2 with FMA3, 8 lanes.
    case avx2 = 1
    /// AVX-512 F/BW/VL/DQ, 16 lanes.
    case avx512 = 2

    /// The best instruction set this CPU supports: what the kernels use unless told otherwise.
    public static let selected = KernelInstructionSet(rawValue: Int(ldk_selected_isa().rawValue)) ?? .portable

    /// Whether this CPU can run the kernels compiled for this instruction set.
    public var isSupported: Bool { self <= Self.selected }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .portable: return "portable C"
        case .avx2: return "AVX2+FMA"
        case .avx512: return "AVX-512"
        }
    }

    var cValue: ldk_isa { ldk_isa(rawValue: UInt32(rawValue)) }
}
