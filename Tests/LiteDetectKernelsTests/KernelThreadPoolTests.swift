import Dispatch
import LiteDetectKernels
import XCTest

/// Convolutions split across a thread pool: still equal to the reference, identical to the
/// single-threaded result bit for bit (each output is summed by the same code whichever thread
/// runs it), and safe when two threads share one pool.
final class KernelThreadPoolTests: XCTestCase {
    /// Large enough to be split (the kernels run convolutions under ~400 k MACs on one thread),
    /// with row counts above, at and below the number of row ranges the split makes, and maps small
    /// enough that 1×1 convolutions are split by output channels instead.
    private let geometries = [
        ConvolutionGeometry(input: FeatureMapShape(height: 19, width: 21, channels: 64), outputChannels: 72, kernelHeight: 1, kernelWidth: 1),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 3, width: 100, channels: 96), outputChannels: 80, kernelHeight: 1, kernelWidth: 1, groups: 2),
        // Small maps whose 1×1 convolutions are split by output channels (a partial last panel; a 1×1 map).
        ConvolutionGeometry(input: FeatureMapShape(height: 10, width: 10, channels: 160), outputChannels: 300, kernelHeight: 1, kernelWidth: 1),
        ConvolutionGeometry(input: FeatureMapShape(height: 1, width: 1, channels: 1024), outputChannels: 520, kernelHeight: 1, kernelWidth: 1),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 81, width: 77, channels: 96), outputChannels: 96, kernelHeight: 3, kernelWidth: 3,
            stride: 2, padding: .symmetric(1), groups: 96),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 23, width: 25, channels: 200), outputChannels: 200, kernelHeight: 5, kernelWidth: 5,
            padding: .symmetric(2), groups: 200),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 19, width: 19, channels: 33), outputChannels: 40, kernelHeight: 3, kernelWidth: 3,
            padding: .symmetric(1)),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 2, width: 9, channels: 256), outputChannels: 64, kernelHeight: 3, kernelWidth: 3,
            padding: .symmetric(1)),
        // Direct convolutions whose weights outweigh their input, split by output channels: the SSD
        // class predictors' shape (a partial last panel; too many inputs for Winograd) and stride 2.
        ConvolutionGeometry(
            input: FeatureMapShape(height: 5, width: 5, channels: 300), outputChannels: 546, kernelHeight: 3, kernelWidth: 3,
            padding: .symmetric(1)),
        ConvolutionGeometry(
            input: FeatureMapShape(height: 7, width: 7, channels: 64), outputChannels: 100, kernelHeight: 3, kernelWidth: 3,
            stride: 2, padding: .symmetric(1)),
    ]

    func testPoolOfOneOrMoreThreads() throws {
        XCTAssertNil(KernelThreadPool(threadCount: 0))
        XCTAssertEqual(try XCTUnwrap(KernelThreadPool(threadCount: 1)).threadCount, 1)
        XCTAssertEqual(try XCTUnwrap(KernelThreadPool(threadCount: 3)).threadCount, 3)
    }

    /// Workers carry their names (what profilers show, and how the allocation tests tell the
    /// kernels' threads from strangers), and destroying the pool ends them.
    func testWorkersAreNamedAndEndWithThePool() throws {
        let names = (1...2).map { KernelThreadPool.workerThreadNamePrefix + String($0) }
        let before = try Self.threadNameCounts(names)
        var pool = KernelThreadPool(threadCount: 3)
        XCTAssertNotNil(pool)
        // Each worker names itself when it starts, which may be a moment after the pool is made.
        XCTAssertTrue(try Self.eventually { try Self.threadNameCounts(names) == before.map { $0 + 1 } }, "no threads named \(names)")
        pool = nil
        XCTAssertTrue(try Self.eventually { try Self.threadNameCounts(names) == before }, "the workers outlived their pool")
    }

    /// How many of this process's threads bear each name, from Linux's /proc.
    private static func threadNameCounts(_ names: [String]) throws -> [Int] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let threadNames = tasks.compactMap { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
        }
        return names.map { name in threadNames.count { $0 == name } }
    }

    /// Whether `condition` holds within about 5 s, polled every 10 ms.
    private static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<500 {
            if try condition() { return true }
            usleep(10_000)
        }
        return false
    }

    func testSplitConvolutionsMatchReference() throws {
        for threadCount in [2, 3] {
            let pool = try XCTUnwrap(KernelThreadPool(threadCount: threadCount))
            for (index, geometry) in geometries.enumerated() {
                XCTAssertGreaterThan(geometry.multiplyAccumulates, 400_000, "\(geometry) would not be split")
                ConvolutionComparison(
                    geometry: geometry, activation: Activation.allCases[index % Activation.allCases.count],
                    kernel: .preferred(for: geometry), instructionSet: .selected,
                    strided: index % 2 == 0, residual: index % 3 == 1, threads: pool
                )
                .check(seed: UInt64(50 + index))
            }
        }
    }

    func testSplitResultIsBitIdenticalAndPoolIsSafeToShare() throws {
        let pool = try XCTUnwrap(KernelThreadPool(threadCount: 2))
        for geometry in geometries {
            var random = SeededRandom(seed: 7)
            let convolution = FastConvolution(
                geometry: geometry, activation: .relu6, weights: random.values(geometry.weightCount),
                bias: random.values(geometry.outputChannels))
            let input = random.values(geometry.input.elementCount)
            let alone = Self.run(convolution, input: input, threads: nil)
            // Four callers at once on one pool of two threads: at most one gets the pool, the
            // others run alone; every result must still be the same.
            let results = Results(count: 4)
            DispatchQueue.concurrentPerform(iterations: 4) { caller in
                results.set(caller, Self.run(convolution, input: input, threads: pool))
            }
            for caller in 0..<4 { XCTAssertEqual(results.get(caller), alone, "\(geometry), caller \(caller)") }
        }
    }

    private static func run(_ convolution: FastConvolution, input: [Float], threads: KernelThreadPool?) -> [Float] {
        var input = input
        var output = [Float](repeating: .nan, count: convolution.geometry.output.elementCount)
        input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                convolution.run(
                    input: FeatureMapView(base: i.baseAddress!, shape: convolution.geometry.input),
                    output: FeatureMapView(base: o.baseAddress!, shape: convolution.geometry.output), threads: threads,
                    workspace: KernelWorkspace(for: [convolution], threadCount: threads?.threadCount ?? 1))
            }
        }
        return output
    }

    /// One slot per concurrent caller, filled from several threads.
    private final class Results: @unchecked Sendable {
        private var slots: [[Float]]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: [], count: count) }
        func set(_ index: Int, _ value: [Float]) {
            lock.lock()
            slots[index] = value
            lock.unlock()
        }
        func get(_ index: Int) -> [Float] {
            lock.lock()
            defer { lock.unlock() }
            return slots[index]
        }
    }
}
