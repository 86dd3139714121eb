import Foundation
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN
import LiteDetectTestSupport
import XCTest

/// Every backbone, at several widths and input sizes, against PyTorch's own outputs for the same
/// weights and input (`Tools/reference/make_backbone_fixtures.py`): logits and both feature taps
/// within 1e-4 of the reference's largest magnitude.
final class BackboneParityTests: XCTestCase {
    func testGeneratorMatchesReferenceScript() throws {
        struct Check: Decodable {
            var seed: UInt64
            var low: Double
            var high: Double
            var values: [Float]
        }
        let url = BackboneFixture.directory.appendingPathComponent("prng_check.json")
        let check = try JSONDecoder().decode(Check.self, from: Data(contentsOf: url))
        XCTAssertEqual(ReferenceGenerator.values(count: check.values.count, seed: check.seed, low: check.low, high: check.high), check.values)
    }

    func testEveryBackboneNameHasFixtures() {
        let covered = Set(BackboneFixture.allCases.compactMap { name in try? BackboneFixture.load(name).fixture.backbone })
        XCTAssertEqual(covered, Set(BackboneName.allCases.map(\.rawValue)))
    }

    /// Every case as the library runs it (`Banding.automatic`) and layer by layer (`.off`).
    func testBackbonesMatchPyTorch() throws {
        let cases = BackboneFixture.allCases
        XCTAssertGreaterThanOrEqual(cases.count, 16)
        for name in cases {
            try checkCase(name)
            try checkCase(name, banding: .off)
        }
    }

    /// The same cases with every chain of convolutions and max pools run band by band
    /// (`Banding`), one output row per band (the most seams), on one thread and on three (each
    /// with its own rows and a halo above them).
    func testBackbonesMatchPyTorchBandByBand() throws {
        let everywhere = Banding(minimumMapBytes: 0, bandBytes: 0)
        for name in BackboneFixture.allCases {
            for threads in [1, 3] {
                try checkCase(name, banding: everywhere, threads: threads)
            }
        }
    }

    private func checkCase(_ name: String, banding: Banding = .automatic, threads: Int = 1) throws {
        let (fixture, reference) = try BackboneFixture.load(name)
        let shape = fixture.input.shape  // [1, 3, H, W]
        let builder = GraphBuilder(weights: fixture.weights)
        let input = builder.input(FeatureMapShape(height: shape[2], width: shape[3], channels: shape[1]))
        let features = try Backbones.build(try fixture.configuration, on: builder, input: input, classes: fixture.num_classes)
        let network = try builder.build(
            outputs: ["logits": features.logits!, "stride16": features.stride16, "stride32": features.stride32], banding: banding)
        if banding == .off {
            XCTAssertTrue(network.bandedOperationIndices.isEmpty, "\(name): banded although banding is off")
        } else if banding != .automatic {
            XCTAssertFalse(network.bandedOperationIndices.isEmpty, "\(name): nothing banded, the case proves nothing")
        }
        let session = NetworkSession(network: network, threads: threads)
        let label = banding == .automatic ? name : banding == .off ? "\(name) (layer by layer)" : "\(name) (banded, \(threads) threads)"
        let pixels = channelsLast(fixture.input.values, channels: shape[1], height: shape[2], width: shape[3])
        session.input.base.update(from: pixels, count: pixels.count)
        session.run()

        for (output, referenceShape) in fixture.outputs {
            let expected = reference.tensors[output]!
            XCTAssertEqual(expected.shape, referenceShape, "\(label) \(output)")
            let view = try session.output(output)
            let (channels, height, width) =
                referenceShape.count == 4
                ? (referenceShape[1], referenceShape[2], referenceShape[3]) : (referenceShape[1], 1, 1)
            XCTAssertEqual(view.shape, FeatureMapShape(height: height, width: width, channels: channels), "\(label) \(output) shape")
            guard view.shape.channels == channels && view.shape.height == height && view.shape.width == width else { continue }
            let want = channelsLast(expected.values, channels: channels, height: height, width: width)
            let scale = want.map(abs).max() ?? 0
            XCTAssertGreaterThan(scale, 0, "\(label) \(output): reference is all zeros, the case proves nothing")
            var worst: Float = 0
            for i in 0..<want.count { worst = max(worst, abs(view.base[i] - want[i])) }
            XCTAssertLessThanOrEqual(worst, 1e-4 * scale, "\(label) \(output): max |Δ| \(worst) vs max |ref| \(scale)")
        }
    }
}
