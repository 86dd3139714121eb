import LiteDetectKernels

/// The scale of Winograd F(2×2, 3×3)'s rounding errors for each output value, computed in double
/// with the transforms of Lavin and Gray ("Fast Algorithms for Convolutional Neural Networks",
/// 2015): Bᵀ, G and Aᵀ below are the paper's, not the kernel's code.
///
/// Output (i, j) of a 2×2 tile is Σ_p a_p · Σ_c U_{p,c} · V_{p,c} over the 16 positions p, with
/// U = G g Gᵀ, V = Bᵀ d B and a_p = Aᵀ[i][r] · Aᵀ[j][s] ∈ {0, ±1}. Rounding U and V (to bfloat16,
/// relative error ≤ 2⁻⁸ each) moves each product by at most (2⁻⁷ + 2⁻¹⁶) |U| |V|, and the float32
/// input transform moves V by at most 3 · 2⁻²⁴ of V⁺ = |Bᵀ| |d| |B|. So the error of an output is
/// bounded by a small multiple of S = Σ_p |a_p| Σ_c |U_{p,c}| · V⁺_{p,c}, which this returns for
/// every output value (output-major, NHWC). Unlike the direct terms' magnitudes, S can be far
/// larger than |output|: Winograd's intermediate values do not cancel before they are rounded.
enum WinogradErrorScale {
    private static let bt: [[Double]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    private static let g: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    private static let at: [[Double]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

    static func scales(_ geometry: ConvolutionGeometry, input: [Float], weights: [Float]) -> [Float] {
        precondition(geometry.kernelHeight == 3 && geometry.kernelWidth == 3 && geometry.stride == 1 && geometry.groups == 1)
        let inShape = geometry.input, outShape = geometry.output
        let cin = inShape.channels, cout = geometry.outputChannels
        // |U| for every output and input channel, [o][c][16].
        var u = [Double](repeating: 0, count: cout * cin * 16)
        for o in 0..<cout {
            for c in 0..<cin {
                for r in 0..<4 {
                    for s in 0..<4 {
                        var sum = 0.0
                        for y in 0..<3 {
                            for x in 0..<3 { sum += g[r][y] * Double(weights[((o * 3 + y) * 3 + x) * cin + c]) * g[s][x] }
                        }
                        u[(o * cin + c) * 16 + r * 4 + s] = abs(sum)
                    }
                }
            }
        }
        var result = [Float](repeating: 0, count: outShape.elementCount)
        var vPlus = [Double](repeating: 0, count: cin * 16)
        for ty in 0..<((outShape.height + 1) / 2) {
            for tx in 0..<((outShape.width + 1) / 2) {
                // V⁺ of this tile's 4×4 input patch, zeros outside the image.
                let iy0 = 2 * ty - geometry.padding.top, ix0 = 2 * tx - geometry.padding.left
                for c in 0..<cin {
                    var d = [[Double]](repeating: [0, 0, 0, 0], count: 4)
                    for a in 0..<4 {
                        for b in 0..<4 {
                            let y = iy0 + a, x = ix0 + b
                            if y >= 0 && y < inShape.height && x >= 0 && x < inShape.width {
                                d[a][b] = abs(Double(input[(y * inShape.width + x) * cin + c]))
                            }
                        }
                    }
                    for r in 0..<4 {
                        for s in 0..<4 {
                            var sum = 0.0
                            for a in 0..<4 { for b in 0..<4 { sum += abs(bt[r][a]) * d[a][b] * abs(bt[s][b]) } }
                            vPlus[c * 16 + r * 4 + s] = sum
                        }
                    }
                }
                for i in 0..<2 {
                    for j in 0..<2 {
                        let oy = 2 * ty + i, ox = 2 * tx + j
                        guard oy < outShape.height && ox < outShape.width else { continue }
                        for o in 0..<cout {
                            var scale = 0.0
                            for p in 0..<16 {
                                let weight = abs(at[i][p / 4] * at[j][p % 4])
                                guard weight > 0 else { continue }
                                for c in 0..<cin { scale += weight * u[(o * cin + c) * 16 + p] * vPlus[c * 16 + p] }
                            }
                            result[(oy * outShape.width + ox) * cout + o] = Float(scale)
                        }
                    }
                }
            }
        }
        return result
    }
}
