import LiteDetectKernels
import XCTest

/// The Winograd F(2×2, 3×3) kernel, in every instruction-set variant this CPU can run, against
/// `ReferenceConvolution`: odd and tiny maps (tiles cut by the right and bottom edges), channel
/// counts 1…67 on both sides, every padding the direct kernel takes, every activation,
/// channel-slice views, a fused residual, and one or two threads.
///
/// Tolerance: Winograd does not sum the same products as the direct loop. The input transform
/// adds up to 4 inputs, the weight transform up to 9 weights (× ½ or ¼), and the output
/// transform 9 of the 16 products, so the intermediate values — and their rounding errors — are
/// a few times the magnitudes of the direct terms. Measured against the sum of the direct terms'
/// magnitudes (as for the other kernels), the worst error over these sweeps is 2.5e-7 on every
/// instruction set (printed by the first two tests); 2e-6 leaves an 8× margin and is still 10×
/// tighter than the 2e-5 the other kernels are held to. A broken transform is off by O(1).
final class WinogradConvolutionTests: XCTestCase {
    static let tolerance: Float = 2e-6
    /// Computed per test, not at initialisation: test discovery reads standard output as JSON.
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "WinogradConvolutionTests") }
    private let mapSizes = [(1, 1), (1, 2), (2, 3), (3, 3), (4, 4), (5, 7), (7, 19), (19, 19), (12, 9)]
    private let channelPairs = [(1, 1), (3, 5), (5, 16), (16, 64), (17, 33), (33, 17), (32, 48), (64, 67), (67, 3), (8, 40)]

    func testWinogradMatchesReference() throws {
        let pool = try XCTUnwrap(KernelThreadPool(threadCount: 2))
        var worst: Float = 0
        for isa in instructionSets {
            var index = 0
            for (height, width) in mapSizes {
                for padding in paddings(height: height, width: width) {
                    let (inputs, outputs) = channelPairs[index % channelPairs.count]
                    let geometry = ConvolutionGeometry(
                        input: FeatureMapShape(height: height, width: width, channels: inputs), outputChannels: outputs,
                        kernelHeight: 3, kernelWidth: 3, padding: padding)
                    if geometry.problem == nil {
                        worst = max(worst, compare(geometry, isa, index, threads: index % 4 == 3 ? pool : nil))
                    }
                    index += 1
                }
            }
        }
        print("Winograd: worst error / sum of term magnitudes = \(worst)")
    }

    /// Every channel count 1…67 (every vector remainder, one to three panels) on one map.
    func testWinogradCoversEveryChannelCount() {
        var worst: Float = 0
        for isa in instructionSets {
            for channels in 1...67 {
                let geometry = ConvolutionGeometry(
                    input: FeatureMapShape(height: 7, width: 9, channels: channels), outputChannels: 68 - channels,
                    kernelHeight: 3, kernelWidth: 3, padding: .symmetric(1))
                worst = max(worst, compare(geometry, isa, channels))
            }
        }
        print("Winograd, channels 1…67: worst error / sum of term magnitudes = \(worst)")
    }

    /// Maps big enough to be split across threads, with odd row counts (a tile pair on a range
    /// boundary), the most input channels the kernel takes, and the Fire modules' shapes.
    func testWinogradSplitAcrossThreadsMatchesReference() throws {
        let geometries = [
            ConvolutionGeometry(
                input: FeatureMapShape(height: 21, width: 23, channels: 48), outputChannels: 40, kernelHeight: 3, kernelWidth: 3,
                padding: .symmetric(1)),
            ConvolutionGeometry(
                input: FeatureMapShape(height: 9, width: 11, channels: 256), outputChannels: 70, kernelHeight: 3, kernelWidth: 3,
                padding: .symmetric(1)),
            ConvolutionGeometry(
                input: FeatureMapShape(height: 39, width: 39, channels: 32), outputChannels: 128, kernelHeight: 3, kernelWidth: 3,
                padding: .symmetric(1)),
            ConvolutionGeometry(
                input: FeatureMapShape(height: 20, width: 20, channels: 24), outputChannels: 24, kernelHeight: 3, kernelWidth: 3,
                padding: .tensorFlowSame(inputHeight: 20, inputWidth: 20, kernelHeight: 3, kernelWidth: 3, stride: 1)),
        ]
        for threadCount in [1, 2, 3] {
            let pool = try XCTUnwrap(KernelThreadPool(threadCount: threadCount))
            for (index, geometry) in geometries.enumerated() {
                compare(geometry, .selected, index, threads: pool)
            }
        }
    }

    func testWinogradSupportsOnlyItsShapes() {
        let map = FeatureMapShape(height: 5, width: 5, channels: 16)
        XCTAssertTrue(FastConvolution.Kernel.winograd.supports(ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 3, kernelWidth: 3)))
        XCTAssertFalse(
            FastConvolution.Kernel.winograd.supports(ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2)))
        XCTAssertFalse(
            FastConvolution.Kernel.winograd.supports(ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, groups: 2)))
        XCTAssertFalse(FastConvolution.Kernel.winograd.supports(ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 1, kernelWidth: 3)))
        XCTAssertFalse(
            FastConvolution.Kernel.winograd.supports(
                ConvolutionGeometry(
                    input: FeatureMapShape(height: 5, width: 5, channels: 257), outputChannels: 4, kernelHeight: 3, kernelWidth: 3)))
    }

    // MARK: Helpers

    @discardableResult
    private func compare(
        _ geometry: ConvolutionGeometry, _ isa: KernelInstructionSet, _ index: Int, threads: KernelThreadPool? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> Float {
        ConvolutionComparison(
            geometry: geometry, activation: Activation.allCases[index % Activation.allCases.count], kernel: .winograd,
            instructionSet: isa, strided: index % 2 == 1, residual: index % 3 == 0, threads: threads,
            relativeTolerance: Self.tolerance
        )
        .check(seed: UInt64(300 + index), file: file, line: line)
    }

    /// PyTorch's symmetric 1, none, TensorFlow SAME (any extra at the bottom/right), and more
    /// padding than the kernel reaches across (tiles wholly outside the image).
    private func paddings(height: Int, width: Int) -> [Padding] {
        [
            .symmetric(1), .zero,
            .tensorFlowSame(inputHeight: height, inputWidth: width, kernelHeight: 3, kernelWidth: 3, stride: 1),
            Padding(top: 3, left: 2, bottom: 1, right: 3),
        ]
    }
}
