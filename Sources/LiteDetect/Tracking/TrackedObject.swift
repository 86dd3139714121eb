/// One confirmed track in one frame: a stable id and where the object is.
public struct TrackedObject: Sendable, Hashable {
    /// Unique within a tracker, from 1, in order of confirmation; never reused.
    public var id: Int
    public var classID: Int
    public var label: String
    /// The score of the detection matched this frame.
    public var score: Float
    /// The filtered box (motion model corrected by this frame's detection), in image pixels.
    public var box: Box
    /// Frames this track has been matched in so far, this one included.
    public var hits: Int

    public init(id: Int, classID: Int, label: String, score: Float, box: Box, hits: Int) {
        self.id = id
        self.classID = classID
        self.label = label
        self.score = score
        self.box = box
        self.hits = hits
    }
}
