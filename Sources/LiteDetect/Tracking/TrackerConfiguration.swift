/// Settings of `MultiObjectTracker`. The defaults are ByteTrack's (Zhang et al., 2022, and its
/// reference implementation) where it has the setting.
public struct TrackerConfiguration: Sendable, Hashable {
    /// Detections scoring at least this are matched first, and may start tracks.
    public var highScoreThreshold: Float
    /// Detections scoring in `lowScoreThreshold ..< highScoreThreshold` only keep already
    /// tracked objects alive (ByteTrack's second association, e.g. through partial occlusion);
    /// lower ones are ignored.
    public var lowScoreThreshold: Float
    /// An unmatched high detection scoring at least this starts a new, tentative track.
    public var newTrackThreshold: Float
    /// Least IoU between a track's predicted box and a high detection to match them.
    public var highMatchIoU: Float
    /// Least IoU between a track's predicted box and a low detection to match them.
    public var lowMatchIoU: Float
    /// Least IoU between a tentative track and a detection to match them.
    public var tentativeMatchIoU: Float
    /// Consecutive frames a new object must be matched in (its first included) before it is
    /// confirmed: then it gets its id and is reported. A tentative track missing one frame is dropped.
    public var confirmationHits: Int
    /// A confirmed track unmatched for more than this many consecutive frames is deleted; until
    /// then it coasts on its motion model and can be re-found with its id (ByteTrack's `track_buffer`).
    public var maxMissedFrames: Int
    /// Only match detections of the track's class.
    public var matchesClassesOnly: Bool

    public init(
        highScoreThreshold: Float = 0.5, lowScoreThreshold: Float = 0.1, newTrackThreshold: Float = 0.6,
        highMatchIoU: Float = 0.2, lowMatchIoU: Float = 0.5, tentativeMatchIoU: Float = 0.3,
        confirmationHits: Int = 2, maxMissedFrames: Int = 30, matchesClassesOnly: Bool = true
    ) {
        self.highScoreThreshold = highScoreThreshold
        self.lowScoreThreshold = lowScoreThreshold
        self.newTrackThreshold = newTrackThreshold
        self.highMatchIoU = highMatchIoU
        self.lowMatchIoU = lowMatchIoU
        self.tentativeMatchIoU = tentativeMatchIoU
        self.confirmationHits = confirmationHits
        self.maxMissedFrames = maxMissedFrames
        self.matchesClassesOnly = matchesClassesOnly
    }

    /// Throws when a threshold is outside [0, 1] or a count is below its minimum.
    public func validate() throws(DetectorError) {
        for (name, value) in [
            ("high score threshold", highScoreThreshold), ("low score threshold", lowScoreThreshold),
            ("new track threshold", newTrackThreshold), ("high match IoU", highMatchIoU), ("low match IoU", lowMatchIoU),
            ("tentative match IoU", tentativeMatchIoU),
        ] where !(0...1).contains(value) {
            throw .invalidOption(name: "tracker \(name)", problem: "\(value) is not in [0, 1]")
        }
        guard lowScoreThreshold <= highScoreThreshold else {
            throw .invalidOption(
                name: "tracker low score threshold", problem: "\(lowScoreThreshold) is above the high threshold \(highScoreThreshold)")
        }
        guard confirmationHits >= 1 else {
            throw .invalidOption(name: "tracker confirmation hits", problem: "\(confirmationHits) must be at least 1")
        }
        guard maxMissedFrames >= 0 else {
            throw .invalidOption(name: "tracker max missed frames", problem: "\(maxMissedFrames) must not be negative")
        }
    }
}
