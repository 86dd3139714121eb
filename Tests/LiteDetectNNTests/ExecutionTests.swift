import LiteDetectKernels
import LiteDetectNN
import XCTest

/// Execution details the backbone parity tests cannot isolate: BatchNorm folding arithmetic and
/// buffer reuse across branches, on values small enough to compute by hand.
final class ExecutionTests: XCTestCase {
    func testBatchNormIsFoldedWithItsEpsilon() throws {
        // y = gamma · (w·x − mean) / sqrt(var + eps) + beta with w = 2, x = 3, gamma = 4, mean = 1,
        // var = 0.999, eps = 0.001, beta = 0.5 → 4 · 5 / 1 + 0.5 = 20.5
        let weights = NamedTensors(
            [
                "c.weight": .init(shape: [1, 1, 1, 1], values: [2]),
                "bn.weight": .init(shape: [1], values: [4]), "bn.bias": .init(shape: [1], values: [0.5]),
                "bn.running_mean": .init(shape: [1], values: [1]), "bn.running_var": .init(shape: [1], values: [0.999]),
            ], sourceName: "bn")
        let g = GraphBuilder(weights: weights)
        g.batchNormEpsilon = 1e-3
        let x = g.input(FeatureMapShape(height: 1, width: 1, channels: 1))
        let y = try g.convolution(x, outputChannels: 1, kernel: 1, activation: .identity, weight: "c.weight", batchNorm: "bn")
        let session = NetworkSession(network: try g.build(outputs: ["y": y]))
        session.input.base[0] = 3
        session.run()
        XCTAssertEqual(try session.output("y").base[0], 20.5, accuracy: 1e-5)
    }

    func testReusedBuffersNeverClobberLiveValues() throws {
        // A long chain with a skip connection from the start to the end: every intermediate
        // buffer is recycled while the skip value must survive. Each step doubles: out = x·2^n + x.
        let steps = 6
        var tensors: [String: NamedTensors.Tensor] = [:]
        for i in 0..<steps { tensors["c\(i).weight"] = .init(shape: [1, 1, 1, 1], values: [2]) }
        let g = GraphBuilder(weights: NamedTensors(tensors, sourceName: "chain"))
        let x = g.input(FeatureMapShape(height: 3, width: 3, channels: 1))
        var h = x
        for i in 0..<steps { h = try g.convolution(h, outputChannels: 1, kernel: 1, activation: .identity, weight: "c\(i).weight") }
        let y = try g.add(h, x)
        let network = try g.build(outputs: ["y": y])
        XCTAssertLessThan(network.arenaFloatCount, (steps + 2) * 16, "intermediate buffers should be reused")
        let session = NetworkSession(network: network)
        for i in 0..<9 { session.input.base[i] = Float(i) }
        session.run()
        let out = try session.output("y")
        for i in 0..<9 { XCTAssertEqual(out.base[i], Float(i) * 65, "pixel \(i)") }
    }

    func testTensorFlowSamePaddingReproducesSSDLiteSizes() {
        // The TF SSDLite-MobileNetV2 graph's stride-2 chain: 300→150→75→38→19→10→5→3→2→1.
        var size = 300
        var sizes = [size]
        for _ in 0..<9 {
            let pad = Padding.tensorFlowSame(inputHeight: size, inputWidth: size, kernelHeight: 3, kernelWidth: 3, stride: 2)
            let geometry = ConvolutionGeometry(
                input: FeatureMapShape(height: size, width: size, channels: 1), outputChannels: 1,
                kernelHeight: 3, kernelWidth: 3, stride: 2, padding: pad)
            size = geometry.output.height
            sizes.append(size)
        }
        XCTAssertEqual(sizes, [300, 150, 75, 38, 19, 10, 5, 3, 2, 1])
        // Even input: TF pads 0 on top and 1 at the bottom.
        XCTAssertEqual(
            Padding.tensorFlowSame(inputHeight: 300, inputWidth: 300, kernelHeight: 3, kernelWidth: 3, stride: 2),
            Padding(top: 0, left: 0, bottom: 1, right: 1))
    }
}
