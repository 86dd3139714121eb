import LiteDetectKernels
import XCTest

/// The bfloat16 kernels (AVX512_BF16) against `ReferenceConvolution` in float32, within the bound
/// bfloat16's 8-bit significand implies (`ConvolutionComparison.bfloat16RelativeTolerance`), over
/// sweeps of awkward shapes: odd channel counts (an unpaired last channel), counts that fill no
/// vector, groups, strides 1 and 2, padding on every side, channel-slice views, a residual,
/// several chunks and bands, and splits across threads. On a CPU without AVX512_BF16 every test
/// is skipped, naming the missing feature.
final class BFloat16ConvolutionTests: XCTestCase {
    private let activations = Activation.allCases
    private let mapSizes = [(1, 1), (1, 2), (2, 3), (3, 3), (7, 7), (7, 19), (19, 19)]

    override func setUpWithError() throws {
        if let reason = KernelPrecision.bfloat16.unsupportedReason { throw XCTSkip("AVX512_BF16 kernels not run: \(reason)") }
    }

    func testPointwiseMatchesReference() {
        let channelPairs = [(1, 1), (3, 5), (5, 16), (17, 33), (33, 17), (16, 64), (24, 70), (31, 32)]
        var index = 0
        for (height, width) in mapSizes {
            for (inputs, outputs) in channelPairs {
                compare(conv(height, width, inputs, outputs, kernel: (1, 1), padding: .zero), .pointwise, index)
                index += 1
            }
        }
    }

    func testGroupedPointwiseMatchesReference() {
        var index = 0
        for groups in [2, 3, 4, 8] {
            for (inputs, outputs) in [(1, 1), (3, 5), (5, 17), (4, 33)] {
                for (height, width) in [(1, 1), (3, 3), (7, 19)] {
                    compare(
                        conv(height, width, inputs * groups, outputs * groups, kernel: (1, 1), padding: .zero, groups: groups),
                        .pointwise, index)
                    index += 1
                }
            }
        }
    }

    /// Pixels × input channels beyond one scratch chunk, with weights too large for the
    /// small-weights chunking, and with small weights.
    func testPointwiseOverSeveralChunksMatchesReference() {
        let geometries = [conv(19, 19, 601, 70, kernel: (1, 1), padding: .zero), conv(45, 47, 33, 17, kernel: (1, 1), padding: .zero)]
        for (g, geometry) in geometries.enumerated() {
            for (index, activation) in activations.enumerated() {
                ConvolutionComparison(
                    geometry: geometry, activation: activation, kernel: .pointwise, instructionSet: .selected,
                    strided: index % 2 == 1, residual: index % 3 == 0,
                    relativeTolerance: ConvolutionComparison.bfloat16RelativeTolerance, precision: .bfloat16
                ).check(seed: UInt64(2000 + 10 * g + index))
            }
        }
    }

    func testDirectMatchesReference() {
        // The float32 direct kernel's sweep (stems on RGB with an odd depth, whose last pair is
        // completed with zero; padding wider than the kernel; groups; non-square kernels), then
        // several bands of input rows: one output row per band, and several rows per band.
        let geometries =
            ConvolutionSweeps.direct + [
                conv(12, 38, 512, 20, kernel: (3, 3), padding: .symmetric(1)),
                conv(40, 40, 96, 18, kernel: (3, 3), padding: .symmetric(1)),
                conv(41, 40, 95, 18, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
            ]
        for (index, geometry) in geometries.enumerated() {
            XCTAssertNil(geometry.problem, "\(geometry)")
            compare(geometry, .direct, index)
        }
    }

    /// Winograd in bfloat16: the bound is bfloat16's, on the scale of Winograd's transformed
    /// terms (`WinogradErrorScale`): rounding U and V moves each product by (2⁻⁷ + 2⁻¹⁶) of it.
    func testWinogradMatchesReference() throws {
        let pool = try XCTUnwrap(KernelThreadPool(threadCount: 2))
        let geometries = [
            conv(1, 1, 16, 64, kernel: (3, 3), padding: .symmetric(1)),
            conv(2, 3, 5, 16, kernel: (3, 3), padding: .symmetric(1)),
            conv(5, 7, 17, 33, kernel: (3, 3), padding: .symmetric(1)),
            conv(7, 19, 33, 17, kernel: (3, 3), padding: .zero),
            conv(12, 9, 64, 67, kernel: (3, 3), padding: .symmetric(1)),
            conv(19, 19, 32, 48, kernel: (3, 3), padding: Padding(top: 0, left: 1, bottom: 2, right: 1)),
            conv(9, 11, 3, 40, kernel: (3, 3), padding: .symmetric(3)),
            conv(11, 13, 255, 33, kernel: (3, 3), padding: .symmetric(1)),
            conv(40, 41, 31, 64, kernel: (3, 3), padding: .symmetric(1)),
        ]
        for (index, geometry) in geometries.enumerated() {
            XCTAssertNil(geometry.problem, "\(geometry)")
            ConvolutionComparison(
                geometry: geometry, activation: activations[index % activations.count], kernel: .winograd,
                instructionSet: .selected, strided: index % 2 == 1, residual: index % 3 == 0,
                threads: index % 3 == 2 ? pool : nil,
                relativeTolerance: ConvolutionComparison.bfloat16RelativeTolerance, precision: .bfloat16,
                extraScale: WinogradErrorScale.scales
            ).check(seed: UInt64(4000 + index))
        }
        // Every channel count 1…40 on one map: each vector remainder, odd counts' zero pair.
        for channels in 1...40 {
            ConvolutionComparison(
                geometry: conv(5, 6, channels, 41 - channels, kernel: (3, 3), padding: .symmetric(1)),
                activation: .identity, kernel: .winograd, instructionSet: .selected,
                relativeTolerance: ConvolutionComparison.bfloat16RelativeTolerance, precision: .bfloat16,
                extraScale: WinogradErrorScale.scales
            ).check(seed: UInt64(5000 + channels))
        }
    }

    /// Both kernels split across threads: the GEMM by pixels and by panels, the direct
    /// convolution by rows and (weights outweighing the input) by panels.
    func testSplitsAcrossThreadsMatchReference() throws {
        let pool = try XCTUnwrap(KernelThreadPool(threadCount: 3))
        let cases: [(ConvolutionGeometry, FastConvolution.Kernel)] = [
            (conv(40, 40, 64, 96, kernel: (1, 1), padding: .zero), .pointwise),
            (conv(5, 5, 256, 300, kernel: (1, 1), padding: .zero), .pointwise),
            (conv(40, 40, 16, 33, kernel: (3, 3), padding: .symmetric(1)), .direct),
            (conv(10, 10, 255, 200, kernel: (3, 3), padding: .symmetric(1)), .direct),
        ]
        for (index, (geometry, kernel)) in cases.enumerated() {
            ConvolutionComparison(
                geometry: geometry, activation: activations[index % activations.count], kernel: kernel,
                instructionSet: .selected, strided: index % 2 == 0, residual: index % 2 == 1, threads: pool,
                relativeTolerance: ConvolutionComparison.bfloat16RelativeTolerance, precision: .bfloat16
            ).check(seed: UInt64(3000 + index))
        }
    }

    /// Kernels without a bfloat16 variant, and direct convolutions whose rows outgrow the
    /// scratch, run in float32 when bfloat16 is asked for, and say so.
    func testLayersWithoutABFloat16VariantStayFloat32() {
        let cases: [(ConvolutionGeometry, FastConvolution.Kernel)] = [
            (conv(9, 9, 16, 16, kernel: (3, 3), padding: .symmetric(1), groups: 16), .depthwise),
            (conv(19, 19, 2048, 16, kernel: (3, 3), padding: .symmetric(1)), .direct),
        ]
        for (geometry, kernel) in cases {
            XCTAssertFalse(FastConvolution.hasBFloat16Variant(kernel, for: geometry), "\(kernel) \(geometry)")
            let weights = [Float](repeating: 0.5, count: geometry.weightCount)
            let fast = FastConvolution(geometry: geometry, activation: .identity, weights: weights, bias: nil, kernel: kernel, precision: .bfloat16)
            XCTAssertEqual(fast.precision, .float32, "\(kernel) \(geometry)")
        }
        XCTAssertTrue(FastConvolution.hasBFloat16Variant(.direct, for: conv(19, 19, 1024, 16, kernel: (3, 3), padding: .symmetric(1))))
    }

    // MARK: Helpers

    private func conv(
        _ h: Int, _ w: Int, _ cin: Int, _ cout: Int, kernel: (Int, Int), stride: Int = 1, padding: Padding,
        groups: Int = 1
    ) -> ConvolutionGeometry {
        ConvolutionSweeps.conv(h, w, cin, cout, kernel: kernel, stride: stride, padding: padding, groups: groups)
    }

    /// Each activation in turn across a sweep, half the cases on channel-slice views and a third
    /// with a residual.
    private func compare(
        _ geometry: ConvolutionGeometry, _ kernel: FastConvolution.Kernel, _ index: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        ConvolutionComparison(
            geometry: geometry, activation: activations[index % activations.count], kernel: kernel, instructionSet: .selected,
            strided: index % 2 == 1, residual: index % 3 == 0,
            relativeTolerance: ConvolutionComparison.bfloat16RelativeTolerance, precision: .bfloat16
        ).check(seed: UInt64(index + 1), file: file, line: line)
    }
}
