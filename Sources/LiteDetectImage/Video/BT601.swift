/// The BT.601 limited-range ("TV range") YUV ↔ RGB matrices, in 20-bit fixed point.
///
/// YUV → RGB, with Y in 16…235 and U (Cb), V (Cr) in 16…240 nominally:
///
///     R = 1.164·(Y−16)               + 1.596·(V−128)
///     G = 1.164·(Y−16) − 0.391·(U−128) − 0.813·(V−128)
///     B = 1.164·(Y−16) + 2.018·(U−128)
///
/// RGB → YUV (the inverse, to the same three decimals):
///
///     Y =  16 + 0.257·R + 0.504·G + 0.098·B
///     U = 128 − 0.148·R − 0.291·G + 0.439·B
///     V = 128 + 0.439·R − 0.368·G − 0.071·B
///
/// These are the textbook coefficients of ITU-R BT.601 for 8-bit studio range, the default of
/// FFmpeg, libyuv and OpenCV when a stream carries no colour information. In 20-bit fixed point
/// as OpenCV's `cvtColor` stores them (luma and YUV → RGB terms rounded, RGB → chroma terms
/// truncated toward zero), results rounded half up and saturated to 0…255, and luma below 16
/// taken as 16 (black), the results equal OpenCV's (`COLOR_YUV2RGB_I420`, `_NV12`,
/// `COLOR_RGB2YUV_I420` on uniform 2×2 blocks) bit for bit, as the tests check against committed
/// OpenCV output. Fixed point makes every platform give the same bytes.
package enum BT601 {
    static let shift: Int32 = 20
    static let half: Int32 = 1 << 19

    // YUV → RGB: round(coefficient × 2²⁰).
    static let yToRGB: Int32 = 1_220_542  // 1.164
    static let vToR: Int32 = 1_673_527  // 1.596
    static let uToG: Int32 = -409_993  // −0.391
    static let vToG: Int32 = -852_492  // −0.813
    static let uToB: Int32 = 2_116_026  // 2.018

    // RGB → Y: round(coefficient × 2²⁰).
    static let rToY: Int32 = 269_484  // 0.257
    static let gToY: Int32 = 528_482  // 0.504
    static let bToY: Int32 = 102_760  // 0.098
    // RGB → U, V: coefficient × 2²⁰ truncated toward zero (OpenCV's constants; rounding would
    // move a value sitting exactly on .5, such as V of (199, 107, 35), by one).
    static let rToU: Int32 = -155_188  // −0.148
    static let gToU: Int32 = -305_135  // −0.291
    static let bToU: Int32 = 460_324  // 0.439 (also rToV)
    static let gToV: Int32 = -385_875  // −0.368
    static let bToV: Int32 = -74_448  // −0.071

    @inline(__always)
    static func saturate(_ value: Int32) -> UInt8 { UInt8(truncatingIfNeeded: min(max(value, 0), 255)) }

    /// The chroma terms of one U, V pair for red, green and blue, rounding offset included
    /// (shared by every pixel that uses the pair).
    @inline(__always)
    static func chromaTerms(u: UInt8, v: UInt8) -> (red: Int32, green: Int32, blue: Int32) {
        let (u, v) = (Int32(u) - 128, Int32(v) - 128)
        return (half + vToR * v, half + uToG * u + vToG * v, half + uToB * u)
    }

    /// One pixel from its luma and its pair's `chromaTerms`.
    @inline(__always)
    static func rgb(y: UInt8, _ terms: (red: Int32, green: Int32, blue: Int32)) -> (UInt8, UInt8, UInt8) {
        let luma = max(Int32(y) - 16, 0) * yToRGB
        return (saturate((luma + terms.red) >> shift), saturate((luma + terms.green) >> shift), saturate((luma + terms.blue) >> shift))
    }

    /// One pixel's luma.
    @inline(__always)
    static func luma(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        let sum = rToY * Int32(red) + gToY * Int32(green) + bToY * Int32(blue)
        return saturate((sum + (16 << shift) + half) >> shift)
    }

    /// U and V from channel sums over `4 / weight` pixels scaled to four (a 2×2 block's mean,
    /// computed without dividing before the matrix so no precision is lost).
    @inline(__always)
    static func chroma(redSum: Int32, greenSum: Int32, blueSum: Int32) -> (u: UInt8, v: UInt8) {
        let (fourthShift, rounding) = (shift + 2, Int32(1) << (shift + 1))
        let u = rToU * redSum + gToU * greenSum + bToU * blueSum
        let v = bToU * redSum + gToV * greenSum + bToV * blueSum
        return (saturate((u + (128 << fourthShift) + rounding) >> fourthShift), saturate((v + (128 << fourthShift) + rounding) >> fourthShift))
    }
}
