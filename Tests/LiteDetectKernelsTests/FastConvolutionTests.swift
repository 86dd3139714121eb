import LiteDetectKernels
import XCTest

/// Every fast kernel, in every instruction-set variant this CPU can run, against
/// `ReferenceConvolution` over sweeps of awkward shapes: odd and 1-pixel maps, channel counts
/// that fill no vector, strides 1 and 2, symmetric and TensorFlow-SAME padding, groups, every
/// activation, channel-slice views and a fused residual.
final class FastConvolutionTests: XCTestCase {
    private let instructionSets = KernelInstructionSet.allCases.filter(\.isSupported)
    private let activations = Activation.allCases
    private let mapSizes = [(1, 1), (1, 2), (2, 3), (3, 3), (7, 7), (7, 19), (19, 19)]

    func testPointwiseMatchesReference() {
        let channelPairs = [(1, 1), (3, 5), (5, 16), (17, 33), (33, 17), (16, 64), (24, 70)]
        for isa in instructionSets {
            var index = 0
            for (height, width) in mapSizes {
                for (inputs, outputs) in channelPairs {
                    let geometry = ConvolutionGeometry(
                        input: FeatureMapShape(height: height, width: width, channels: inputs), outputChannels: outputs,
                        kernelHeight: 1, kernelWidth: 1)
                    compare(geometry, .pointwise, isa, index)
                    index += 1
                }
            }
        }
    }

    func testGroupedPointwiseMatchesReference() {
        let perGroup = [(1, 1), (3, 5), (5, 17), (4, 33)]
        for isa in instructionSets {
            var index = 0
            for groups in [2, 3, 4, 8] {
                for (inputs, outputs) in perGroup {
                    for (height, width) in [(1, 1), (3, 3), (7, 19)] {
                        let geometry = ConvolutionGeometry(
                            input: FeatureMapShape(height: height, width: width, channels: inputs * groups),
                            outputChannels: outputs * groups, kernelHeight: 1, kernelWidth: 1, groups: groups)
                        compare(geometry, .pointwise, isa, index)
                        index += 1
                    }
                }
            }
        }
    }

    /// Enough pixels × input channels that the GEMM works through the map in several chunks.
    func testPointwiseOverSeveralChunksMatchesReference() {
        let geometry = ConvolutionGeometry(
            input: FeatureMapShape(height: 45, width: 47, channels: 33), outputChannels: 17, kernelHeight: 1, kernelWidth: 1)
        for isa in instructionSets {
            for (index, activation) in activations.enumerated() {
                ConvolutionComparison(geometry: geometry, activation: activation, kernel: .pointwise, instructionSet: isa,
                                      strided: index % 2 == 1, residual: index % 3 == 0).check(seed: UInt64(1000 + index))
            }
        }
    }

    func testDepthwiseMatchesReference() {
        let channelCounts = [1, 3, 5, 16, 17, 33]
        for isa in instructionSets {
            var index = 0
            for kernelSize in [3, 5, 7] {
                for stride in [1, 2] {
                    for (height, width) in mapSizes {
                        for padding in paddings(height: height, width: width, kernel: kernelSize, stride: stride) {
                            let geometry = ConvolutionGeometry(
                                input: FeatureMapShape(height: height, width: width, channels: channelCounts[index % channelCounts.count]),
                                outputChannels: channelCounts[index % channelCounts.count], kernelHeight: kernelSize,
                                kernelWidth: kernelSize, stride: stride, padding: padding, groups: channelCounts[index % channelCounts.count])
                            if geometry.problem == nil { compare(geometry, .depthwise, isa, index) }
                            index += 1
                        }
                    }
                }
            }
        }
    }

    /// The register-resident 3×3 and 5×5 interiors with every channel count on one map.
    func testDepthwiseInteriorCoversEveryChannelCount() {
        for isa in instructionSets {
            var index = 0
            for kernelSize in [3, 5] {
                for stride in [1, 2] {
                    for channels in [1, 3, 5, 15, 16, 17, 31, 33, 48] {
                        let geometry = ConvolutionGeometry(
                            input: FeatureMapShape(height: 11, width: 13, channels: channels), outputChannels: channels,
                            kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride,
                            padding: .symmetric(kernelSize / 2), groups: channels)
                        compare(geometry, .depthwise, isa, index)
                        index += 1
                    }
                }
            }
        }
    }

    func testDirectMatchesReference() {
        func conv(_ h: Int, _ w: Int, _ cin: Int, _ cout: Int, kernel: (Int, Int), stride: Int = 1, padding: Padding, groups: Int = 1) -> ConvolutionGeometry {
            ConvolutionGeometry(input: FeatureMapShape(height: h, width: w, channels: cin), outputChannels: cout,
                                kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride, padding: padding, groups: groups)
        }
        let tfSame20 = Padding.tensorFlowSame(inputHeight: 20, inputWidth: 20, kernelHeight: 3, kernelWidth: 3, stride: 2)
        let geometries = [
            // Stems: MobileNet / ShuffleNet 3×3/2 on RGB, TF SAME on an even map, SqueezeNet 1.0's 7×7/2.
            conv(19, 19, 3, 32, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
            conv(19, 19, 3, 16, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
            conv(20, 20, 3, 24, kernel: (3, 3), stride: 2, padding: tfSame20),
            conv(23, 21, 3, 96, kernel: (7, 7), stride: 2, padding: .zero),
            // Full 3×3 convolutions with many inputs (Fire expand, SSD heads), down to a 1×1 map.
            conv(7, 7, 17, 33, kernel: (3, 3), padding: .symmetric(1)),
            conv(3, 3, 33, 5, kernel: (3, 3), padding: .symmetric(1)),
            conv(1, 1, 16, 64, kernel: (3, 3), padding: .symmetric(1)),
            conv(2, 7, 5, 70, kernel: (3, 3), padding: .symmetric(1)),
            conv(19, 19, 8, 40, kernel: (3, 3), padding: .symmetric(1)),
            conv(7, 19, 9, 33, kernel: (3, 3), stride: 2, padding: Padding(top: 0, left: 2, bottom: 1, right: 0)),
            conv(5, 6, 4, 9, kernel: (3, 3), padding: .symmetric(3)),
            // Edge columns run down the column in tiles: runs of 8, 4, 2 and 1 rows, two edge
            // columns a side, stride 2.
            conv(23, 4, 9, 35, kernel: (3, 3), padding: .symmetric(2)),
            conv(20, 10, 16, 40, kernel: (3, 3), padding: .symmetric(1)),
            conv(21, 9, 8, 24, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
            // Groups that are neither 1 nor depthwise, a depth multiplier, 1×1 with stride 2, non-square kernels.
            conv(7, 7, 4, 6, kernel: (3, 3), padding: .symmetric(1), groups: 2),
            conv(9, 9, 6, 9, kernel: (3, 3), stride: 2, padding: .symmetric(1), groups: 3),
            conv(7, 7, 5, 10, kernel: (3, 3), padding: .symmetric(1), groups: 5),
            conv(7, 7, 17, 33, kernel: (1, 1), stride: 2, padding: .zero),
            conv(5, 9, 7, 11, kernel: (1, 3), padding: Padding(top: 0, left: 1, bottom: 0, right: 1)),
            conv(9, 5, 7, 11, kernel: (3, 1), stride: 2, padding: Padding(top: 1, left: 0, bottom: 1, right: 0)),
            // Shapes the other kernels own: direct must agree on them too.
            conv(7, 7, 17, 33, kernel: (1, 1), padding: .zero),
            conv(7, 7, 17, 17, kernel: (3, 3), padding: .symmetric(1), groups: 17),
        ]
        for isa in instructionSets {
            for (index, geometry) in geometries.enumerated() {
                XCTAssertNil(geometry.problem, "\(geometry)")
                compare(geometry, .direct, isa, index)
            }
        }
    }

    func testPreferredKernelFollowsGeometry() {
        let map = FeatureMapShape(height: 5, width: 5, channels: 8)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 1, kernelWidth: 1, groups: 2)), .pointwise)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, groups: 8)), .depthwise)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 1, kernelWidth: 1, stride: 2)), .direct)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 3, kernelWidth: 3)), .direct)
        // Winograd for 3×3 stride 1 with enough input channels and pixels; direct otherwise.
        let wide = FeatureMapShape(height: 5, width: 5, channels: 16)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: wide, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: .symmetric(1))), .winograd)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: wide, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .symmetric(1))), .direct)
        XCTAssertEqual(FastConvolution.Kernel.preferred(for: ConvolutionGeometry(
            input: FeatureMapShape(height: 2, width: 9, channels: 64), outputChannels: 64, kernelHeight: 3, kernelWidth: 3, padding: .symmetric(1))), .direct)
        XCTAssertTrue(KernelInstructionSet.selected.isSupported)
        XCTAssertTrue(KernelInstructionSet.portable.isSupported)
    }

    // MARK: Helpers

    /// The same geometry with each activation in turn across a sweep, half the cases on
    /// channel-slice views and a third with a residual.
    private func compare(_ geometry: ConvolutionGeometry, _ kernel: FastConvolution.Kernel, _ isa: KernelInstructionSet, _ index: Int,
                         file: StaticString = #filePath, line: UInt = #line) {
        ConvolutionComparison(geometry: geometry, activation: activations[index % activations.count], kernel: kernel,
                              instructionSet: isa, strided: index % 2 == 1, residual: index % 3 == 0)
            .check(seed: UInt64(index + 1), file: file, line: line)
    }

    /// PyTorch's symmetric `kernel / 2`, none at all, TensorFlow SAME (extra at the bottom/right),
    /// and more padding than the kernel can reach across (windows wholly outside the image).
    private func paddings(height: Int, width: Int, kernel: Int, stride: Int) -> [Padding] {
        [.symmetric(kernel / 2), .zero,
         .tensorFlowSame(inputHeight: height, inputWidth: width, kernelHeight: kernel, kernelWidth: kernel, stride: stride),
         Padding(top: kernel, left: kernel - 1, bottom: 1, right: kernel)]
    }
}
