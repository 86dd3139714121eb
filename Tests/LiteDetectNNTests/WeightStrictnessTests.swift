import LiteDetectKernels
import LiteDetectNN
import XCTest

/// Loading is strict: a tensor that is missing, misshapen, non-finite or left over is an error
/// that names it.
final class WeightStrictnessTests: XCTestCase {
    private func conv(_ weights: [String: NamedTensors.Tensor]) throws -> Network {
        let g = GraphBuilder(weights: NamedTensors(weights, sourceName: "test.safetensors"))
        let x = g.input(FeatureMapShape(height: 4, width: 4, channels: 2))
        let y = try g.convolution(x, outputChannels: 3, kernel: 1, activation: .relu, weight: "conv.weight", bias: "conv.bias")
        return try g.build(outputs: ["y": y])
    }

    private let goodWeight = NamedTensors.Tensor(shape: [3, 2, 1, 1], values: [Float](repeating: 0.5, count: 6))
    private let goodBias = NamedTensors.Tensor(shape: [3], values: [0, 0, 0])

    func testAcceptsExactWeights() throws {
        XCTAssertNoThrow(try conv(["conv.weight": goodWeight, "conv.bias": goodBias]))
    }

    func testMissingTensorIsNamed() {
        XCTAssertThrowsError(try conv(["conv.weight": goodWeight])) {
            XCTAssertEqual($0 as? WeightError, .missing(name: "conv.bias", source: "test.safetensors"))
        }
    }

    func testShapeMismatchNamesBothShapes() {
        let wrong = NamedTensors.Tensor(shape: [3, 2, 3, 3], values: [Float](repeating: 0, count: 54))
        XCTAssertThrowsError(try conv(["conv.weight": wrong, "conv.bias": goodBias])) { error in
            XCTAssertEqual(error as? WeightError, .shapeMismatch(name: "conv.weight", expected: [3, 2, 1, 1], actual: [3, 2, 3, 3]))
            XCTAssertEqual("\(error)", "tensor 'conv.weight' has shape [3, 2, 3, 3], the model expects [3, 2, 1, 1]")
        }
    }

    func testLeftoverTensorsAreAnError() {
        let extra = NamedTensors.Tensor(shape: [1], values: [0])
        XCTAssertThrowsError(try conv(["conv.weight": goodWeight, "conv.bias": goodBias, "head.weight": extra])) {
            XCTAssertEqual($0 as? WeightError, .unused(names: ["head.weight"], source: "test.safetensors"))
        }
    }

    func testNonFiniteValuesAreRefused() {
        let nan = NamedTensors.Tensor(shape: [3], values: [0, .nan, 0])
        XCTAssertThrowsError(try conv(["conv.weight": goodWeight, "conv.bias": nan])) {
            XCTAssertEqual($0 as? WeightError, .nonFinite(name: "conv.bias", index: 1))
        }
    }

    func testImpossibleLayerIsNamed() {
        let g = GraphBuilder(weights: SeededRandomWeights())
        let x = g.input(FeatureMapShape(height: 4, width: 4, channels: 6))
        XCTAssertThrowsError(try g.convolution(x, outputChannels: 4, kernel: 1, groups: 4, activation: .relu, weight: "stage.weight")) {
            XCTAssertEqual($0 as? GraphError, .invalidLayer(name: "stage", problem: "6 input channels do not divide into 4 groups"))
        }
    }
}
