import LiteDetectKernels
import XCTest

/// Every fast kernel, in every instruction-set variant this CPU can run, against
/// `ReferenceConvolution` over sweeps of awkward shapes: odd and 1-pixel maps, channel counts
/// that fill no vector, strides 1 and 2, symmetric and TensorFlow-SAME padding, groups, every
/// activation, channel-slice views and a fused residual.
final class FastConvolutionTests: XCTestCase {
    /// Computed per test, not at initialisation: test discovery reads standard output as JSON.
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "FastConvolutionTests") }
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
                ConvolutionComparison(
                    geometry: geometry, activation: activation, kernel: .pointwise, instructionSet: isa,
                    strided: index % 2 == 1, residual: index % 3 == 0
                ).check(seed: UInt64(1000 + index))
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
        let geometries = ConvolutionSweeps.direct
        for isa in instructionSets {
            for (index, geometry) in geometries.enumerated() {
                XCTAssertNil(geometry.problem, "\(geometry)")
                compare(geometry, .direct, isa, index)
            }
        }
    }

    func testPreferredKernelFollowsGeometry() {
        let map = FeatureMapShape(height: 5, width: 5, channels: 8)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 1, kernelWidth: 1, groups: 2)),
            .pointwise)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(
                for: ConvolutionGeometry(input: map, outputChannels: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, groups: 8)), .depthwise)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 1, kernelWidth: 1, stride: 2)),
            .direct)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(for: ConvolutionGeometry(input: map, outputChannels: 4, kernelHeight: 3, kernelWidth: 3)), .direct)
        // Winograd for 3×3 stride 1 with enough input channels and pixels; direct otherwise.
        let wide = FeatureMapShape(height: 5, width: 5, channels: 16)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(
                for: ConvolutionGeometry(input: wide, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: .symmetric(1))), .winograd)
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(
                for: ConvolutionGeometry(input: wide, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .symmetric(1))), .direct
        )
        XCTAssertEqual(
            FastConvolution.Kernel.preferred(
                for: ConvolutionGeometry(
                    input: FeatureMapShape(height: 2, width: 9, channels: 64), outputChannels: 64, kernelHeight: 3, kernelWidth: 3,
                    padding: .symmetric(1))), .direct)
        XCTAssertTrue(KernelInstructionSet.selected.isSupported)
        XCTAssertTrue(KernelInstructionSet.portable.isSupported)
    }

    // MARK: Helpers

    /// The same geometry with each activation in turn across a sweep, half the cases on
    /// channel-slice views and a third with a residual.
    private func compare(
        _ geometry: ConvolutionGeometry, _ kernel: FastConvolution.Kernel, _ isa: KernelInstructionSet, _ index: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        ConvolutionComparison(
            geometry: geometry, activation: activations[index % activations.count], kernel: kernel,
            instructionSet: isa, strided: index % 2 == 1, residual: index % 3 == 0
        )
        .check(seed: UInt64(index + 1), file: file, line: line)
    }

    /// PyTorch's symmetric `kernel / 2`, none at all, TensorFlow SAME (extra at the bottom/right),
    /// and more padding than the kernel can reach across (windows wholly outside the image).
    private func paddings(height: Int, width: Int, kernel: Int, stride: Int) -> [Padding] {
        [
            .symmetric(kernel / 2), .zero,
            .tensorFlowSame(inputHeight: height, inputWidth: width, kernelHeight: kernel, kernelWidth: kernel, stride: stride),
            Padding(top: kernel, left: kernel - 1, bottom: 1, right: kernel),
        ]
    }
}
