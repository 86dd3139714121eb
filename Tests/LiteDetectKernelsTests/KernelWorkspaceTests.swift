import Foundation
import LiteDetectKernels
import XCTest

/// The kernels that need working memory (Winograd's transformed inputs: 144 KiB; the bfloat16
/// kernels' rounded inputs: 128 KiB) take it from the session's `KernelWorkspace`, not from the
/// stack: they run on a thread whose whole stack is smaller than that memory and give the same
/// result as on a thread with a full stack.
final class KernelWorkspaceTests: XCTestCase {
    /// Smaller than either kernel's working memory, large enough for the calls themselves.
    private static let smallStackBytes = 96 * 1024

    func testWinogradRunsOnASmallStack() throws {
        let geometry = ConvolutionGeometry(
            input: FeatureMapShape(height: 19, width: 19, channels: 256), outputChannels: 64, kernelHeight: 3, kernelWidth: 3,
            padding: .symmetric(1))
        try checkOnSmallStack(geometry, kernel: .winograd, precision: .float32)
    }

    func testBFloat16KernelsRunOnASmallStack() throws {
        if let reason = KernelPrecision.bfloat16.unsupportedReason { throw XCTSkip("AVX512_BF16 kernels not run: \(reason)") }
        try checkOnSmallStack(
            ConvolutionGeometry(
                input: FeatureMapShape(height: 19, width: 19, channels: 256), outputChannels: 64, kernelHeight: 3,
                kernelWidth: 3, padding: .symmetric(1)),
            kernel: .winograd, precision: .bfloat16)
        try checkOnSmallStack(
            ConvolutionGeometry(
                input: FeatureMapShape(height: 20, width: 20, channels: 96), outputChannels: 72, kernelHeight: 1,
                kernelWidth: 1),
            kernel: .pointwise, precision: .bfloat16)
        try checkOnSmallStack(
            ConvolutionGeometry(
                input: FeatureMapShape(height: 10, width: 10, channels: 64), outputChannels: 40, kernelHeight: 3,
                kernelWidth: 3, stride: 2, padding: .symmetric(1)),
            kernel: .direct, precision: .bfloat16)
    }

    func testWorkspaceCoversKernelAndThreads() {
        let winograd = FastConvolution(
            geometry: ConvolutionGeometry(
                input: FeatureMapShape(height: 5, width: 5, channels: 16), outputChannels: 8, kernelHeight: 3,
                kernelWidth: 3, padding: .symmetric(1)),
            activation: .identity, weights: [Float](repeating: 0, count: 8 * 9 * 16), bias: nil, kernel: .winograd)
        let depthwise = FastConvolution(
            geometry: ConvolutionGeometry(
                input: FeatureMapShape(height: 5, width: 5, channels: 16), outputChannels: 16, kernelHeight: 3,
                kernelWidth: 3, padding: .symmetric(1), groups: 16),
            activation: .identity, weights: [Float](repeating: 0, count: 16 * 9), bias: nil)
        // A float32 depthwise layer needs nothing; a network without Winograd or bfloat16 layers allocates none.
        XCTAssertEqual(depthwise.workspaceBytesPerThread, 0)
        XCTAssertEqual(KernelWorkspace(for: [depthwise], threadCount: 2).bytesPerThread, 0)
        let workspace = KernelWorkspace(for: [depthwise, winograd], threadCount: 2)
        XCTAssertTrue(workspace.covers(winograd, threads: 2))
        XCTAssertFalse(workspace.covers(winograd, threads: 3), "a slot for each of the pool's threads")
        XCTAssertEqual(workspace.bytesPerThread % 64, 0, "slots start on cache lines")
        XCTAssertFalse(KernelWorkspace(threadCount: 2, bytesPerThread: winograd.workspaceBytesPerThread - 64).covers(winograd, threads: 1))
    }

    /// Runs the convolution on a thread with a `smallStackBytes` stack and on this one, and
    /// compares: a kernel that still put its working memory on the stack would overflow it.
    private func checkOnSmallStack(
        _ geometry: ConvolutionGeometry, kernel: FastConvolution.Kernel, precision: KernelPrecision,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var random = SeededRandom(seed: 11)
        let convolution = FastConvolution(
            geometry: geometry, activation: .relu, weights: random.values(geometry.weightCount), bias: random.values(geometry.outputChannels),
            kernel: kernel, precision: precision)
        XCTAssertEqual(convolution.precision, precision, file: file, line: line)
        XCTAssertGreaterThan(
            convolution.workspaceBytesPerThread, Self.smallStackBytes, "\(kernel) needs less than the small stack", file: file, line: line)
        let input = random.values(geometry.input.elementCount)
        let expected = Self.run(convolution, input: input)

        let result = SmallStackResult()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.output = Self.run(convolution, input: input)
            done.signal()
        }
        thread.stackSize = Self.smallStackBytes
        thread.start()
        done.wait()
        XCTAssertEqual(result.output, expected, "\(kernel) in \(precision) on a \(Self.smallStackBytes / 1024) KiB stack", file: file, line: line)
    }

    private static func run(_ convolution: FastConvolution, input: [Float]) -> [Float] {
        var input = input
        var output = [Float](repeating: .nan, count: convolution.geometry.output.elementCount)
        let workspace = KernelWorkspace(for: [convolution], threadCount: 1)
        input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                convolution.run(
                    input: FeatureMapView(base: i.baseAddress!, shape: convolution.geometry.input),
                    output: FeatureMapView(base: o.baseAddress!, shape: convolution.geometry.output), workspace: workspace)
            }
        }
        return output
    }

    /// The small-stack thread's output, read after the semaphore.
    private final class SmallStackResult: @unchecked Sendable {
        var output: [Float] = []
    }
}
