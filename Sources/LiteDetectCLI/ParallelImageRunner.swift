import Dispatch
import Foundation
import LiteDetect
import Synchronization

/// One image through the detector: what the output stages need.
struct ProcessedImage: Sendable {
    var path: String
    var image: RGBImage
    var format: ImageFormat
    var result: DetectionResult
    var warnings: [String]
}

/// An image that could not be processed, with the reason.
struct ImageFailure: Error, CustomStringConvertible {
    var path: String
    var reason: String
    /// The library's errors already start with the path; it is not repeated.
    var description: String { reason.hasPrefix("\(path):") ? reason : "\(path): \(reason)" }
}

/// Runs images through one shared `Detector` on `threads` threads and hands results back **in
/// input order**, one at a time. With several images, each worker thread owns a session and
/// takes whole images; threads left over (fewer images than threads) split each forward pass.
struct ParallelImageRunner {
    let detector: Detector
    let options: DetectionOptions
    let maxPixels: Int
    let threads: Int

    struct Summary { var succeeded = 0, failed = 0 }

    /// `deliver` is called once per input, in input order, never concurrently.
    func run(_ paths: [String], deliver: (Int, Result<ProcessedImage, ImageFailure>) -> Void) -> Summary {
        withoutActuallyEscaping(deliver) { deliver in runEscaping(paths, deliver: deliver) }
    }

    private func runEscaping(_ paths: [String], deliver: @escaping (Int, Result<ProcessedImage, ImageFailure>) -> Void) -> Summary {
        let state = Mutex(OrderedResults(count: paths.count))
        let next = Atomic<Int>(0)
        let workers = max(1, min(threads, paths.count))
        let decodeOptions = ImageDecodingOptions(maxPixels: maxPixels)
        var summary = Summary()
        let deliverBox = UnsafeSendable(deliver)
        // Each worker thread owns one session (its own buffers) over the shared detector.
        let worker: @Sendable (Int) -> Void = { [detector, options] _ in
            let session = detector.makeSession(threads: max(1, threads / workers))
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < paths.count else { return }
                let outcome = Self.process(paths[index], session: session, options: options, decodeOptions: decodeOptions)
                state.withLock { results in
                    results.store(outcome, at: index)
                    // Whoever completes the next-in-order result delivers everything ready.
                    while let (ready, value) = results.takeNextReady() { deliverBox.value(ready, value) }
                }
            }
        }
        if workers == 1 {
            worker(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: worker)
        }
        state.withLock { results in
            summary.succeeded = results.succeeded
            summary.failed = results.failed
        }
        return summary
    }

    static func process(
        _ path: String, session: DetectorSession, options: DetectionOptions, decodeOptions: ImageDecodingOptions
    ) -> Result<ProcessedImage, ImageFailure> {
        do {
            let decoded = try ImageFile.load(path, options: decodeOptions)
            let result = try session.detect(decoded.image, options: options)
            return .success(ProcessedImage(path: path, image: decoded.image, format: decoded.format, result: result, warnings: decoded.warnings))
        } catch {
            return .failure(ImageFailure(path: path, reason: "\(error)"))
        }
    }
}

/// Results that arrive out of order, released in order.
private struct OrderedResults {
    private var pending: [Result<ProcessedImage, ImageFailure>?]
    private var nextToDeliver = 0
    private(set) var succeeded = 0
    private(set) var failed = 0

    init(count: Int) { pending = Array(repeating: nil, count: count) }

    mutating func store(_ outcome: Result<ProcessedImage, ImageFailure>, at index: Int) {
        pending[index] = outcome
        if case .success = outcome { succeeded += 1 } else { failed += 1 }
    }

    mutating func takeNextReady() -> (Int, Result<ProcessedImage, ImageFailure>)? {
        guard nextToDeliver < pending.count, let outcome = pending[nextToDeliver] else { return nil }
        pending[nextToDeliver] = nil  // free the decoded image once delivered
        defer { nextToDeliver += 1 }
        return (nextToDeliver, outcome)
    }
}
