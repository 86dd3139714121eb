import LiteDetect
import LiteDetectAllocationCounter
import LiteDetectKernels
import LiteDetectModels
import XCTest

/// After the first frame of a size and options, a frame loop makes no heap allocation at all:
/// counted by allocation functions interposed in the test process (`LiteDetectAllocationCounter`),
/// on the calling thread and on the kernels' worker threads.
///
/// Threads that are neither are not ours to judge: a thread an earlier test left behind may
/// allocate in any window (CI once counted 16–68 allocations on such threads, which its log does
/// not name, in every window of a single-threaded loop). Workers are recognised by the name each
/// gives its thread (`KernelThreadPool.workerThreadNamePrefix`).
final class FrameAllocationTests: XCTestCase {
    private struct Allocations {
        var callingThread: Int
        var kernelWorkers: Int
        var all: Int
    }

    /// Allocations made while `body` runs.
    private func allocations(_ body: () throws -> Void) rethrows -> Allocations {
        ldac_start_counting(KernelThreadPool.workerThreadNamePrefix)
        defer { _ = ldac_stop_counting() }
        try body()
        let all = ldac_stop_counting()
        return Allocations(callingThread: ldac_counted_on_starting_thread(), kernelWorkers: ldac_counted_on_watched_threads(), all: all)
    }

    private func assertAllocatesNothing(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) rethrows {
        let counted = try allocations(body)
        XCTAssertEqual(counted.callingThread, 0, "heap allocations on the calling thread, \(what)", file: file, line: line)
        XCTAssertEqual(counted.kernelWorkers, 0, "heap allocations on the kernels' worker threads, \(what)", file: file, line: line)
    }

    /// Guards the other tests: a counter that sees nothing would pass them vacuously.
    func testTheCounterSeesSwiftAndCAllocations() {
        var arrays: [[Int]] = []
        var pointers: [UnsafeMutableRawPointer?] = []
        arrays.reserveCapacity(1)
        pointers.reserveCapacity(3)
        // Results are kept (and freed only after counting) so the optimiser cannot elide the calls.
        let counted = allocations {
            arrays.append([Int](repeating: 7, count: 1000 + arrays.count))
            pointers.append(malloc(64 + pointers.count))
            pointers.append(calloc(4, 16 + pointers.count))
            var aligned: UnsafeMutableRawPointer?
            _ = posix_memalign(&aligned, 64, 256 + pointers.count)
            pointers.append(aligned)
        }
        pointers.forEach { free($0) }
        XCTAssertEqual(arrays[0].count, 1000)
        XCTAssertEqual(counted.all, 4, "the interposed allocation functions do not see every allocation")
        XCTAssertEqual(counted.callingThread, 4, "all four were made on this thread")
        XCTAssertEqual(counted.kernelWorkers, 0)
    }

    /// Another thread's allocation counts in the total, not as the counting thread's, and as a
    /// worker's only when the thread bears a worker's name.
    func testTheCounterTellsTheCallingThreadAndWorkersFromOthers() {
        for name in ["some-stranger", KernelThreadPool.workerThreadNamePrefix + "9"] {
            // Kept past the window (and freed after it) so the optimiser cannot elide the malloc.
            final class Kept: @unchecked Sendable { var pointer: UnsafeMutableRawPointer? }
            let go = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0), kept = Kept()
            let other = Thread {
                ldac_name_calling_thread(name)
                go.wait()  // a first round trip, uncounted: whatever the semaphores set up lazily
                done.signal()
                go.wait()
                kept.pointer = malloc(48)
                done.signal()
            }
            other.start()
            go.signal()
            done.wait()
            let counted = allocations {
                go.signal()
                done.wait()
            }
            free(kept.pointer)
            XCTAssertGreaterThanOrEqual(counted.all, 1, "the other thread's malloc")
            XCTAssertEqual(counted.callingThread, 0, "signalling and waiting on semaphores allocates nothing on this thread")
            if name.hasPrefix(KernelThreadPool.workerThreadNamePrefix) {
                XCTAssertGreaterThanOrEqual(counted.kernelWorkers, 1, "the malloc of a thread named \(name)")
            } else {
                XCTAssertEqual(counted.kernelWorkers, 0, "a thread named \(name) is not a worker")
            }
        }
    }

    func testDetectingFramesIntoAReusedResultAllocatesNothing() throws {
        try assertFramesAllocateNothing(precision: .float32)
    }

    /// The bfloat16 kernels round their inputs into stack scratch, never the heap.
    func testDetectingFramesInBFloat16AllocatesNothing() throws {
        if let reason = KernelPrecision.bfloat16.unsupportedReason { throw XCTSkip("AVX512_BF16 kernels not run: \(reason)") }
        try assertFramesAllocateNothing(precision: .bfloat16)
    }

    private func assertFramesAllocateNothing(precision: KernelPrecision) throws {
        let detector = try Detector(model: "ssdlite320-mobilenetv3-small", weights: .random(seed: 5), precision: precision)
        // Two threads, so that the kernels' worker runs (and would be caught allocating) too.
        let session = detector.makeSession(threads: 2)
        // The preprocessing plan depends on the row stride too, and padded RGB8 rows are read in
        // place; a stream keeps one stride, so those frames get a session of their own here.
        let paddedSession = detector.makeSession(threads: 2)
        let (width, height) = (97, 55)  // odd sizes: chroma rounding paths included
        let i420 = (0..<PixelFormat.i420.contiguousByteCount(width: width, height: height)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let image = FrameFixtures.randomImage(width: width, height: height, seed: 9)
        let (bgra, stride) = FrameFixtures.packed(image, as: .bgra8, padding: 4)
        let (rgb, rgbStride) = FrameFixtures.packed(image, as: .rgb8, padding: 5)  // read in place, not copied
        let options = DetectionOptions(scoreThreshold: 0.01, maxDetections: 40, classIDs: [1, 2, 3])
        var result = DetectionResult()

        func oneRound(_ index: Int) throws {
            try i420.withUnsafeBytes { raw in
                let frame = try PixelFrame(format: .i420, width: width, height: height, bytes: raw)
                try session.detect(
                    frame, options: options, metadata: FrameMetadata(index: index, timestamp: .milliseconds(40 * index)), into: &result)
            }
            try bgra.withUnsafeBytes { raw in
                let frame = try PixelFrame(format: .bgra8, width: width, height: height, bytes: raw, bytesPerRow: stride)
                try session.detect(frame, options: options, metadata: FrameMetadata(index: index), into: &result)
            }
            try rgb.withUnsafeBytes { raw in
                let frame = try PixelFrame(format: .rgb8, width: width, height: height, bytes: raw, bytesPerRow: rgbStride)
                try paddedSession.detect(frame, options: options, metadata: FrameMetadata(index: index), into: &result)
            }
            try session.detect(image, options: options, metadata: FrameMetadata(index: index), into: &result)
        }
        // Warm-up: plans, buffers and the result's capacity are made here, and counted, which
        // shows the counter sees this code path at all.
        let warmUp = try allocations { try oneRound(0) }
        XCTAssertGreaterThan(warmUp.callingThread, 0)
        XCTAssertFalse(result.detections.isEmpty, "the loop must produce detections to prove anything about them")
        var lastIndex = 0
        try assertAllocatesNothing("20 warmed-up frames") {
            for index in 1...5 {
                lastIndex = index
                try oneRound(index)
            }
        }
        XCTAssertEqual(result.frame?.index, lastIndex)
    }

    /// The whole loop of the `detect video` command minus output: read a Y4M frame into a reused
    /// frame, detect into a reused result.
    func testAY4MReadAndDetectLoopAllocatesNothing() throws {
        let detector = try FrameFixtures.tinyDetector()
        let session = detector.makeSession()
        let path = NSTemporaryDirectory() + "frame-allocation-\(UInt64.random(in: 0...UInt64.max)).y4m"
        defer { unlink(path) }
        let header = Y4MStreamHeader(width: 33, height: 21, frameRate: VideoRatio(numerator: 25, denominator: 1))
        let writer = try Y4MWriter(path: path, header: header)
        for seed in 0..<12 {
            // Short frame parameters (as in practice) are stored inline in a Swift string.
            try writer.write(
                FrameFixtures.randomImage(width: 33, height: 21, seed: UInt64(seed)), parameters: seed.isMultiple(of: 3) ? "Ip XT=\(seed)" : "")
        }
        try writer.close()

        let reader = try Y4MReader(path: path)
        var frame = reader.makeFrame()
        var result = DetectionResult()
        func step() throws -> Bool {
            guard try reader.readFrame(into: &frame) else { return false }
            let metadata = FrameMetadata(index: frame.index, timestamp: frame.timestamp)
            try frame.withPixelFrame { try session.detect($0, options: FrameFixtures.manyDetections, metadata: metadata, into: &result) }
            return true
        }
        XCTAssertTrue(try step())
        var frames = 0, withParameters = 0
        try assertAllocatesNothing("reading and detecting 11 warmed-up frames") {
            while try step() {
                frames += 1
                if !frame.parameters.isEmpty { withParameters += 1 }
            }
        }
        XCTAssertEqual(frames, 11)
        XCTAssertEqual(withParameters, 3)
    }
}
