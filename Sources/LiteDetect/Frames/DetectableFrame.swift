/// A frame that owns its pixels — so it can wait in a queue and cross tasks — and knows how a
/// session detects in it. `RGBImage` and `VideoFrame` conform; the asynchronous frame loop
/// (`Detector.detections(in:options:buffering:)`) takes any sequence of them.
public protocol DetectableFrame: Sendable {
    /// The frame's own place in its stream, if it carries one (`VideoFrame` does).
    var frameMetadata: FrameMetadata? { get }

    /// Runs `session` on this frame into `result` (see `DetectorSession.detect(_:options:metadata:into:)`).
    func detect(with session: DetectorSession, options: DetectionOptions, metadata frame: FrameMetadata?, into result: inout DetectionResult) throws
}

extension RGBImage: DetectableFrame {
    public var frameMetadata: FrameMetadata? { nil }

    public func detect(
        with session: DetectorSession, options: DetectionOptions, metadata frame: FrameMetadata?, into result: inout DetectionResult
    ) throws {
        try session.detect(self, options: options, metadata: frame, into: &result)
    }
}

extension VideoFrame: DetectableFrame {
    public var frameMetadata: FrameMetadata? { FrameMetadata(index: index, timestamp: timestamp) }

    public func detect(
        with session: DetectorSession, options: DetectionOptions, metadata frame: FrameMetadata?, into result: inout DetectionResult
    ) throws {
        try withPixelFrame { pixels in try session.detect(pixels, options: options, metadata: frame, into: &result) }
    }
}
