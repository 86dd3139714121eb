internal import CLiteDetectKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instruction sets the fast convolution kernels are compiled for, worst first.
///
/// Every kernel exists once per case; the best one this CPU (and OS) supports is detected once,
/// at first use, and used by default. Which one was chosen is worth printing next to timings.
package enum KernelInstructionSet: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Plain C with 4-lane vector extensions: SSE2 on any x86-64, NEON on arm64.
    case portable = 0
    /// AVX2 with FMA3, 8 lanes.
    case avx2 = 1
    /// AVX-512 F/BW/VL/DQ, 16 lanes.
    case avx512 = 2

    /// The best instruction set this CPU supports: what the kernels use unless told otherwise.
    package static let selected = KernelInstructionSet(rawValue: Int(ldk_selected_isa().rawValue)) ?? .portable

    /// The environment variable that caps the selected instruction set (`portable`, `avx2` or
    /// `avx512`), so the narrower paths can be run and measured on a CPU that has more.
    package static let environmentVariable = LDK_ISA_ENVIRONMENT_VARIABLE

    /// `LITEDETECT_ISA`'s value, when set and not empty.
    package static var environmentValue: String? {
        ldk_isa_environment_cap() == -1 ? nil : getenv(environmentVariable).map { String(cString: $0) }
    }

    /// The instruction set `LITEDETECT_ISA` caps the selection to, if it names one.
    package static var environmentCap: KernelInstructionSet? {
        let cap = ldk_isa_environment_cap()
        return cap >= 0 ? KernelInstructionSet(rawValue: Int(cap)) : nil
    }

    /// What is wrong with `LITEDETECT_ISA` (it is then ignored), or `nil` when it is unset or valid.
    package static var environmentProblem: String? {
        guard ldk_isa_environment_cap() == -2, let value = environmentValue else { return nil }
        return "\(environmentVariable)=\(value) names no instruction set; use portable, avx2 or avx512"
    }

    /// Whether this CPU can run the kernels compiled for this instruction set.
    package var isSupported: Bool { self <= Self.selected }

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    package var description: String {
        switch self {
        case .portable: return "portable C"
        case .avx2: return "AVX2+FMA"
        case .avx512: return "AVX-512"
        }
    }

    var cValue: ldk_isa { ldk_isa(rawValue: UInt32(rawValue)) }
}
