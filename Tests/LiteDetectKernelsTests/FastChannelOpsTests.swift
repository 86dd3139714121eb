import LiteDetectKernels
import XCTest

/// `FastChannelOps`, in every instruction-set variant this CPU can run, against
/// `ReferenceChannelOps` bit for bit: add and activation with every activation, copies,
/// channel shuffles and per-channel scales, over channel counts that fill no vector, on
/// contiguous maps (one run over the whole map) and channel-slice views, and in place.
final class FastChannelOpsTests: XCTestCase {
    /// Computed per test, not at initialisation: test discovery reads standard output as JSON.
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "FastChannelOpsTests") }
    private let channelCounts = [1, 3, 15, 16, 17, 33, 64, 67]
    private let mapSizes = [(1, 1), (2, 3), (7, 9)]
    /// Which of (first input, second input, output) are channel slices: none, all, and mixed.
    private let stridings = [(false, false, false), (true, true, true), (true, false, false), (false, true, true)]

    func testAddMatchesReference() {
        forEachCase { isa, shape, activation, strided, seed in
            var random = SeededRandom(seed: seed)
            let a = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: spread(random.values(shape.elementCount)))
            let b = TestFeatureMap(shape: shape, strided: strided.1, filler: .nan, values: spread(random.values(shape.elementCount)))
            let fast = TestFeatureMap(output: shape, strided: strided.2), reference = TestFeatureMap(output: shape, strided: strided.2)
            FastChannelOps.add(a.view, b.view, activation: activation, output: fast.view, instructionSet: isa)
            ReferenceChannelOps.add(a.view, b.view, activation: activation, output: reference.view)
            TestFeatureMap.assertIdentical(fast, reference, "add, \(activation) on \(isa), \(shape), \(strided)")
        }
    }

    func testActivationMatchesReference() {
        forEachCase { isa, shape, activation, strided, seed in
            var random = SeededRandom(seed: seed)
            let input = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: spread(random.values(shape.elementCount)))
            let fast = TestFeatureMap(output: shape, strided: strided.2), reference = TestFeatureMap(output: shape, strided: strided.2)
            FastChannelOps.activation(input.view, activation, output: fast.view, instructionSet: isa)
            ReferenceChannelOps.activation(input.view, activation, output: reference.view)
            TestFeatureMap.assertIdentical(fast, reference, "\(activation) on \(isa), \(shape), \(strided)")
        }
    }

    func testCopyMatchesReference() {
        forEachCase { isa, shape, _, strided, seed in
            var random = SeededRandom(seed: seed)
            let input = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: random.values(shape.elementCount))
            let fast = TestFeatureMap(output: shape, strided: strided.2), reference = TestFeatureMap(output: shape, strided: strided.2)
            FastChannelOps.copy(input.view, to: fast.view, instructionSet: isa)
            ReferenceChannelOps.copy(input.view, to: reference.view)
            TestFeatureMap.assertIdentical(fast, reference, "copy on \(isa), \(shape), \(strided)")
        }
    }

    func testScaleChannelsMatchesReference() {
        forEachCase { isa, shape, _, strided, seed in
            var random = SeededRandom(seed: seed)
            let input = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: random.values(shape.elementCount))
            let scales = random.values(shape.channels)
            let fast = TestFeatureMap(output: shape, strided: strided.2), reference = TestFeatureMap(output: shape, strided: strided.2)
            FastChannelOps.scaleChannels(input.view, scales: scales, output: fast.view, instructionSet: isa)
            ReferenceChannelOps.scaleChannels(input.view, scales: scales, output: reference.view)
            TestFeatureMap.assertIdentical(fast, reference, "scale on \(isa), \(shape), \(strided)")
        }
    }

    /// Output = first input, as the element-wise kernels allow: each float is read before it is written.
    func testInPlaceMatchesReference() {
        forEachCase { isa, shape, activation, strided, seed in
            var random = SeededRandom(seed: seed)
            let values = spread(random.values(shape.elementCount)), other = spread(random.values(shape.elementCount))
            let scales = random.values(shape.channels)
            let a = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: values)
            let b = TestFeatureMap(shape: shape, strided: strided.1, filler: .nan, values: other)
            let operations: [(String, (FeatureMapView, FeatureMapView) -> Void, (FeatureMapView, FeatureMapView) -> Void)] = [
                (
                    "add", { FastChannelOps.add($0, b.view, activation: activation, output: $1, instructionSet: isa) },
                    { ReferenceChannelOps.add($0, b.view, activation: activation, output: $1) }
                ),
                (
                    "activation", { FastChannelOps.activation($0, activation, output: $1, instructionSet: isa) },
                    { ReferenceChannelOps.activation($0, activation, output: $1) }
                ),
                (
                    "scale", { FastChannelOps.scaleChannels($0, scales: scales, output: $1, instructionSet: isa) },
                    { ReferenceChannelOps.scaleChannels($0, scales: scales, output: $1) }
                ),
            ]
            for (name, fastOperation, referenceOperation) in operations {
                let inPlace = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: values)
                let reference = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: values)
                fastOperation(inPlace.view, inPlace.view)
                referenceOperation(a.view, reference.view)
                TestFeatureMap.assertIdentical(inPlace, reference, "\(name) in place, \(activation) on \(isa), \(shape), \(strided)")
            }
        }
    }

    func testShuffleMatchesReference() {
        for isa in instructionSets {
            var index = 0
            for groups in [1, 2, 3, 4, 5, 8] {
                for perGroup in [1, 3, 7, 16, 17, 29, 58] {
                    for (height, width) in mapSizes {
                        let shape = FeatureMapShape(height: height, width: width, channels: groups * perGroup)
                        let strided = stridings[index % stridings.count]
                        var random = SeededRandom(seed: UInt64(index + 1))
                        let input = TestFeatureMap(shape: shape, strided: strided.0, filler: .nan, values: random.values(shape.elementCount))
                        let fast = TestFeatureMap(output: shape, strided: strided.2), reference = TestFeatureMap(output: shape, strided: strided.2)
                        FastChannelOps.shuffle(input.view, groups: groups, output: fast.view, instructionSet: isa)
                        ReferenceChannelOps.shuffle(input.view, groups: groups, output: reference.view)
                        TestFeatureMap.assertIdentical(fast, reference, "shuffle, \(groups) groups on \(isa), \(shape), \(strided)")
                        index += 1
                    }
                }
            }
        }
    }

    // MARK: Helpers

    /// Every instruction set × map size × channel count, the activation and the views' striding
    /// cycling through their cases.
    private func forEachCase(
        _ body: (KernelInstructionSet, FeatureMapShape, Activation, (Bool, Bool, Bool), UInt64) -> Void
    ) {
        for isa in instructionSets {
            var index = 0
            for (height, width) in mapSizes {
                for channels in channelCounts {
                    for activation in Activation.allCases {
                        body(
                            isa, FeatureMapShape(height: height, width: width, channels: channels), activation,
                            stridings[index % stridings.count], UInt64(index + 1))
                        index += 1
                    }
                }
            }
        }
    }

    /// Values in [-8, 8): past every bend of ReLU6, hard-swish and hard-sigmoid (−3, 0, 3, 6).
    private func spread(_ values: [Float]) -> [Float] { values.map { $0 * 8 } }
}
