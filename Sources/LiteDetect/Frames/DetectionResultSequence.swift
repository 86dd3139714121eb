import AsyncAlgorithms

/// Detections for a stream of frames, as an `AsyncSequence`: frames in, one `DetectionResult`
/// per detected frame out, in order, each with `frame` set (the frame's own metadata, or its
/// position in the source when it has none).
///
/// Iterating runs two stages, each in its own task (swift-async-algorithms' `buffer`): one pulls
/// frames from the source into a buffer governed by the `FrameBufferingPolicy`, the other
/// detects with its own `DetectorSession` and keeps one result ready for the consumer. So a slow
/// consumer slows detection, and detection slows the source (`.queue`) or discards frames
/// (`.dropOldest`). Ending the iteration early, or cancelling the consuming task, stops both.
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
        let waiting = NumberedFrames(frames: frames).buffer(policy: policy.bufferPolicy)
        let detected = DetectedFrames(detector: detector, frames: waiting, options: options)
        return AsyncIterator(results: detected.buffer(policy: .bounded(1)).makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var results: AsyncBufferSequence<DetectedFrames<AsyncBufferSequence<NumberedFrames<Frames>>, Frames.Element>>.Iterator

        /// The next result; `nil` after the last frame. Rethrows the source's and the detector's errors.
        public mutating func next() async throws -> DetectionResult? {
            try await results.next()
        }
    }
}

/// A frame with its position in the source, counted before any frame is discarded.
struct NumberedFrame<Frame: DetectableFrame>: Sendable {
    var position: Int
    var frame: Frame
}

/// The source's frames, numbered.
struct NumberedFrames<Frames: AsyncSequence & Sendable>: AsyncSequence, Sendable where Frames.Element: DetectableFrame {
    let frames: Frames

    func makeAsyncIterator() -> Iterator { Iterator(frames: frames.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var frames: Frames.AsyncIterator
        var position = 0

        mutating func next() async throws -> NumberedFrame<Frames.Element>? {
            guard let frame = try await frames.next() else { return nil }
            defer { position += 1 }
            return NumberedFrame(position: position, frame: frame)
        }
    }
}

/// Numbered frames detected one by one with a session of their own (made when iteration starts,
/// in the task that iterates).
struct DetectedFrames<Frames: AsyncSequence & Sendable, Frame: DetectableFrame>: AsyncSequence, Sendable
where Frames.Element == NumberedFrame<Frame> {
    let detector: Detector
    let frames: Frames
    let options: DetectionOptions

    func makeAsyncIterator() -> Iterator {
        Iterator(frames: frames.makeAsyncIterator(), session: detector.makeSession(), options: options)
    }

    struct Iterator: AsyncIteratorProtocol {
        var frames: Frames.AsyncIterator
        let session: DetectorSession
        let options: DetectionOptions

        mutating func next() async throws -> DetectionResult? {
            guard let next = try await frames.next() else { return nil }
            var result = DetectionResult()
            let metadata = next.frame.frameMetadata ?? FrameMetadata(index: next.position)
            try next.frame.detect(with: session, options: options, metadata: metadata, into: &result)
            return result
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
    ///   - options: which detections to keep, for every frame.
    ///   - buffering: what happens to frames arriving while detection is busy (limit ≥ 1).
    public func detections<Frames: AsyncSequence & Sendable>(
        in frames: Frames, options: DetectionOptions = DetectionOptions(), buffering: FrameBufferingPolicy = .queue(limit: 2)
    ) -> DetectionResultSequence<Frames> where Frames.Element: DetectableFrame {
        precondition(buffering.limit >= 1, "a frame buffer holds at least one frame, got \(buffering)")
        return DetectionResultSequence(detector: self, frames: frames, options: options, policy: buffering)
    }
}
