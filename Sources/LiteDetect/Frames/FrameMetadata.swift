/// Where a frame sits in its stream, carried from input to `DetectionResult.frame`.
public struct FrameMetadata: Sendable, Hashable {
    /// Position in the stream, counting from 0 (frames skipped or dropped keep their numbers).
    public var index: Int
    /// Presentation time from the start of the stream, when known.
    public var timestamp: Duration?

    public init(index: Int, timestamp: Duration? = nil) {
        self.index = index
        self.timestamp = timestamp
    }
}
