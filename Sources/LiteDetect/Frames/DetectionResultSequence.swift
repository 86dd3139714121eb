/// Detections for a stream of frames, as an `AsyncSequence`: frames in, one `DetectionResult`
/// per detected frame out, in order, each with `frame` set (the frame's own metadata, or its
/// position in the source when it has none).
///
/// Iterating starts two tasks: one pulls frames from the source into a buffer governed by the
/// `FrameBufferingPolicy`, the other detects with its own `DetectorSession` and hands each
/// result over when the consumer asks (at most one result waits). So a slow consumer slows
/// detection, and detection slows the source (`.queue`) or discards frames (`.dropOldest`).
/// Ending the iteration early, or cancelling the consuming task, stops both tasks.
///
/// Detection is CPU work run on the cooperative thread pool, one frame at a time per sequence.
public struct DetectionResultSequence<Frames: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Frames.Element: DetectableFrame {
    public typealias Element = DetectionResult

    let detector: Detector
    let frames: Frames
    let options: DetectionOptions
    let policy: FrameBufferingPolicy

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pipeline: Pipeline(detector: detector, frames: frames, options: options, policy: policy))
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let pipeline: Pipeline

        /// The next result; `nil` after the last frame. Rethrows the source's and the detector's errors.
        public mutating func next() async throws -> DetectionResult? {
            try await pipeline.results.take()
        }
    }

    /// The two tasks and the buffers between them; stops the tasks when the iterator goes away.
    final class Pipeline: Sendable {
        let results = HandoffBuffer<DetectionResult>(policy: .queue(limit: 1))
        private let frameBuffer: HandoffBuffer<NumberedFrame>
        private let source: Task<Void, Never>
        private let worker: Task<Void, Never>

        struct NumberedFrame: Sendable {
            var position: Int
            var frame: Frames.Element
        }

        init(detector: Detector, frames: Frames, options: DetectionOptions, policy: FrameBufferingPolicy) {
            let frameBuffer = HandoffBuffer<NumberedFrame>(policy: policy)
            let results = self.results
            self.frameBuffer = frameBuffer
            source = Task {
                do {
                    var position = 0
                    for try await frame in frames {
                        try await frameBuffer.put(NumberedFrame(position: position, frame: frame))
                        position += 1
                    }
                    frameBuffer.finish()
                } catch {
                    frameBuffer.finish(throwing: error)
                }
            }
            worker = Task {
                let session = detector.makeSession()
                do {
                    while let next = try await frameBuffer.take() {
                        var result = DetectionResult()
                        let metadata = next.frame.frameMetadata ?? FrameMetadata(index: next.position)
                        try next.frame.detect(with: session, options: options, metadata: metadata, into: &result)
                        try await results.put(result)
                    }
                    results.finish()
                } catch {
                    results.finish(throwing: error)
                    frameBuffer.cancel()
                }
            }
        }

        deinit {
            source.cancel()
            worker.cancel()
            frameBuffer.cancel()
            results.cancel()
        }
    }
}

extension Detector {
    /// Runs this detector over an asynchronous stream of frames; see `DetectionResultSequence`.
    ///
    /// ```swift
    /// for try await result in detector.detections(in: camera.frames, buffering: .dropOldest(limit: 1)) {
    ///     show(result.detections, at: result.frame?.timestamp)
    /// }
    /// ```
    /// - Parameters:
    ///   - frames: `RGBImage`s, `VideoFrame`s or any other `DetectableFrame`s.
    ///   - buffering: what happens to frames arriving while detection is busy (limit ≥ 1).
    public func detections<Frames: AsyncSequence & Sendable>(
        in frames: Frames, options: DetectionOptions = DetectionOptions(), buffering: FrameBufferingPolicy = .queue(limit: 2)
    ) -> DetectionResultSequence<Frames> where Frames.Element: DetectableFrame {
        precondition(buffering.limit >= 1, "a frame buffer holds at least one frame, got \(buffering)")
        return DetectionResultSequence(detector: self, frames: frames, options: options, policy: buffering)
    }
}
