internal import CLiteDetectKernels

/// Generic vector math through the C kernels (`exp_body.h`, `softmax_body.h`): a polynomial
/// `exp` evaluated 4, 8 or 16 lanes at a time instead of the C library's `expf` one value at a
/// time, and a row-wise softmax built on it. Allocates nothing.
///
/// Results are not `expf`'s bit for bit: `exp` is within `expMaximumULP` of the exact value (the
/// C library's within ~0.5), and softmax sums in vector lanes.
///
/// - Parameter instructionSet: which compiled variant runs; one this CPU lacks falls back to the best it has.
package enum FastVectorMath {
    /// The largest error of `exp`, in units in the last place of the exact result, measured over
    /// every float input against double precision (see `exp_body.h`).
    package static let expMaximumULP = Float(LDK_EXP_MAX_ULP)

    /// `output[i] = e^input[i]`; 0 below -104, +∞ above 89. `output` may be `input`'s memory.
    package static func exp(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
        instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(output.count >= input.count, "exp output shorter than its input")
        guard let source = input.baseAddress, let destination = output.baseAddress else { return }
        ldk_exp(instructionSet.cValue, source, input.count, destination)
    }

    /// Softmax of each of `rows` rows of `columns` floats: `y_j = e^(x_j - max x) / Σ e^(x_k - max x)`.
    ///
    /// Row `r` starts at `input + r · inputRowStride` and `output + r · outputRowStride`; the
    /// output may be the input's memory when the strides agree. With `masks`, also marks each
    /// output above `threshold` (strictly; NaN never) as a bit: row `r`'s `y_j` is bit `j % 64` of
    /// `masks[r · maskWords(columns:) + j / 64]`, so a caller can visit only those by their set bits.
    package static func softmaxRows(
        _ input: UnsafePointer<Float>, rows: Int, columns: Int, inputRowStride: Int,
        into output: UnsafeMutablePointer<Float>, outputRowStride: Int,
        masksAbove threshold: Float = .infinity, masks: UnsafeMutablePointer<UInt64>? = nil,
        instructionSet: KernelInstructionSet = .selected
    ) {
        precondition(
            rows >= 0 && columns >= 0 && inputRowStride >= columns && outputRowStride >= columns,
            "softmax rows need strides of at least `columns`")
        ldk_softmax_rows(instructionSet.cValue, input, rows, columns, inputRowStride, output, outputRowStride, threshold, masks)
    }

    /// 64-bit words per row of `softmaxRows`'s masks.
    package static func maskWords(columns: Int) -> Int { (columns + 63) / 64 }
}
