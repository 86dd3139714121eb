import LiteDetectKernels
import XCTest

/// `FastPooling`, in every instruction-set variant this CPU can run, against `ReferencePooling`
/// bit for bit: max and both kinds of average over odd and 1-pixel maps, channel counts that fill
/// no vector, kernels 1–5, strides 1–3, symmetric, TensorFlow-SAME and lopsided padding, ceil
/// mode, and channel-slice views in and out.
final class FastPoolingTests: XCTestCase {
    private enum Kind: CaseIterable { case max, averageIncludingPadding, averageExcludingPadding }

    /// Computed per test, not at initialisation: test discovery reads standard output as JSON.
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "FastPoolingTests") }
    private let channelCounts = [1, 3, 15, 16, 17, 33, 64, 67]
    private let mapSizes = [(1, 1), (1, 2), (2, 3), (5, 5), (7, 9), (13, 11)]

    /// PyTorch refuses padding over half the window ("pad should be at most half of effective
    /// kernel size"); past that a window can lie wholly in the padding and has no value.
    func testPaddingOverHalfTheWindowIsRefused() {
        let input = FeatureMapShape(height: 8, width: 8, channels: 4)
        XCTAssertNil(PoolGeometry(input: input, kernel: 3, stride: 2, padding: .symmetric(1)).problem)
        XCTAssertNil(PoolGeometry(input: input, kernel: 2, stride: 1, padding: Padding(top: 0, left: 0, bottom: 1, right: 1)).problem)
        XCTAssertNotNil(PoolGeometry(input: input, kernel: 3, stride: 1, padding: .symmetric(2)).problem)
        XCTAssertNotNil(PoolGeometry(input: input, kernel: 2, stride: 2, padding: Padding(top: 0, left: 2, bottom: 0, right: 0)).problem)
    }

    func testPoolsMatchReference() {
        for isa in instructionSets {
            var index = 0
            for kind in Kind.allCases {
                for (height, width) in mapSizes {
                    for kernel in [1, 2, 3, 5] {
                        for stride in [1, 2, 3] {
                            for padding in paddings(height: height, width: width, kernel: kernel, stride: stride) {
                                for ceilMode in [false, true] {
                                    let geometry = PoolGeometry(
                                        input: FeatureMapShape(height: height, width: width, channels: channelCounts[index % channelCounts.count]),
                                        kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
                                    if geometry.problem == nil { compare(geometry, kind, isa, strided: index % 2 == 1, seed: index) }
                                    index += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The networks' own pools (SqueezeNet's and ShuffleNet's 3×3/2 max pools, ceil mode and
    /// padded; ShuffleNet V1's 3×3/2 average pool) with every channel count.
    func testNetworkPoolsCoverEveryChannelCount() {
        let pools: [(height: Int, width: Int, kernel: Int, stride: Int, padding: Padding, ceilMode: Bool)] = [
            (21, 21, 3, 2, .zero, true),
            (20, 18, 3, 2, .symmetric(1), false),
            (19, 19, 2, 2, .zero, true),
        ]
        for isa in instructionSets {
            for kind in Kind.allCases {
                for (index, (height, width, kernel, stride, padding, ceilMode)) in pools.enumerated() {
                    for channels in channelCounts + [5, 31, 48, 80, 116] {
                        let geometry = PoolGeometry(
                            input: FeatureMapShape(height: height, width: width, channels: channels),
                            kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
                        compare(geometry, kind, isa, strided: channels % 2 == 1, seed: index * 1000 + channels)
                    }
                }
            }
        }
    }

    func testGlobalAverageMatchesReference() {
        for isa in instructionSets {
            var index = 0
            for (height, width) in mapSizes + [(10, 10), (20, 20)] {
                for channels in channelCounts + [576] {
                    let shape = FeatureMapShape(height: height, width: width, channels: channels)
                    var random = SeededRandom(seed: UInt64(index + 1))
                    let input = TestFeatureMap(shape: shape, strided: index % 2 == 1, filler: .nan, values: random.values(shape.elementCount))
                    // Two floats past the channels must keep their sentinel.
                    var fast = [Float](repeating: TestFeatureMap.outputSentinel, count: channels + 2)
                    var reference = fast
                    FastPooling.globalAverage(input: input.view, output: &fast, instructionSet: isa)
                    ReferencePooling.globalAverage(input: input.view, output: &reference)
                    XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), "global average on \(isa), \(shape)")
                    index += 1
                }
            }
        }
    }

    // MARK: Helpers

    private func compare(
        _ geometry: PoolGeometry, _ kind: Kind, _ isa: KernelInstructionSet, strided: Bool, seed: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var random = SeededRandom(seed: UInt64(seed + 1))
        // Max: quarter steps in (-2, 2) with zeros of both signs, so ties decide which of two
        // equal values is kept (−0 and +0 tell them apart). Average: full-precision values, so a
        // sum in another order would round differently.
        let values =
            kind == .max
            ? (0..<geometry.input.elementCount).map { _ -> Float in
                let step = Float(Int(random.signedUnit() * 8)) / 4
                return step == 0 && random.next() % 2 == 0 ? -0.0 : step
            }
            : random.values(geometry.input.elementCount)
        let input = TestFeatureMap(shape: geometry.input, strided: strided, filler: .nan, values: values)
        let fast = TestFeatureMap(output: geometry.output, strided: strided)
        let reference = TestFeatureMap(output: geometry.output, strided: strided)
        switch kind {
        case .max:
            FastPooling.max(geometry, input: input.view, output: fast.view, instructionSet: isa)
            ReferencePooling.max(geometry, input: input.view, output: reference.view)
        case .averageIncludingPadding, .averageExcludingPadding:
            let include = kind == .averageIncludingPadding
            FastPooling.average(geometry, countIncludePadding: include, input: input.view, output: fast.view, instructionSet: isa)
            ReferencePooling.average(geometry, countIncludePadding: include, input: input.view, output: reference.view)
        }
        TestFeatureMap.assertIdentical(fast, reference, "\(kind) on \(isa), \(geometry)\(strided ? ", strided" : "")", file: file, line: line)
    }

    /// None, PyTorch's symmetric `kernel / 2`, TensorFlow SAME (the extra row and column at the
    /// bottom and right), and lopsided padding up to `kernel − 1` (every window still holds an
    /// input pixel, which the reference's loops need).
    private func paddings(height: Int, width: Int, kernel: Int, stride: Int) -> [Padding] {
        [
            .zero, .symmetric(kernel / 2),
            .tensorFlowSame(inputHeight: height, inputWidth: width, kernelHeight: kernel, kernelWidth: kernel, stride: stride),
            Padding(top: kernel - 1, left: 0, bottom: kernel / 2, right: kernel - 1),
        ]
    }
}
