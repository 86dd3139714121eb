/// Gives detections stable ids across frames: a ByteTrack-style multi-object tracker.
///
/// Each frame (`update(with:)`):
/// 1. every track's box is predicted one frame ahead (`ConstantVelocityBoxFilter`);
/// 2. high-score detections are matched to confirmed tracks (tracked or coasting) by IoU;
/// 3. low-score detections are matched to the confirmed, recently tracked ones still unmatched
///    (they keep partly occluded objects alive without starting tracks from clutter);
/// 4. leftover high detections are matched to tentative tracks;
/// 5. unmatched confirmed tracks coast (deleted after `maxMissedFrames`), unmatched tentative
///    tracks are dropped, leftover detections scoring `newTrackThreshold` start tentative tracks.
/// Each matching is an optimal `LinearAssignment` on 1 − IoU. A tentative track matched in
/// `confirmationHits` consecutive frames is confirmed and gets the next id.
///
/// Deterministic: the same detections give the same ids. A value type; one per video stream.
public struct MultiObjectTracker: Sendable {
    public let configuration: TrackerConfiguration
    /// Frames seen so far.
    public private(set) var frameCount = 0
    private var tracks: [Track] = []
    private var lastID = 0

    struct Track: Sendable {
        /// 0 while tentative.
        var id: Int
        var classID: Int
        var label: String
        var score: Float
        var filter: ConstantVelocityBoxFilter
        var hits: Int
        /// Consecutive frames without a match (0: matched this frame).
        var misses: Int
        var isConfirmed: Bool { id != 0 }
    }

    /// A tracker with the default configuration (which is valid, so nothing can fail).
    public init() {
        self.configuration = TrackerConfiguration()
    }

    /// A tracker with `configuration`, checked first (`DetectorError.invalidOption` names the field).
    public init(configuration: TrackerConfiguration) throws(DetectorError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Number of live tracks, tentative and coasting ones included.
    public var liveTrackCount: Int { tracks.count }

    /// Advances one frame with its detections (any order) and returns the confirmed tracks
    /// matched in this frame, by id. Frames without detections must be passed too (empty), so
    /// that tracks coast and age.
    public mutating func update(with detections: [LabeledDetection]) -> [TrackedObject] {
        frameCount += 1
        for index in tracks.indices { tracks[index].filter.predict() }
        let config = configuration
        let high = detections.indices.filter { detections[$0].score >= config.highScoreThreshold }
        let low = detections.indices.filter {
            detections[$0].score >= config.lowScoreThreshold && detections[$0].score < config.highScoreThreshold
        }
        var matched = Set<Int>()  // track indices matched this frame

        // 2. High detections against confirmed tracks, tracked or coasting.
        let confirmed = tracks.indices.filter { tracks[$0].isConfirmed }
        let firstPairs = match(confirmed, high, in: detections, minimumIoU: config.highMatchIoU)
        apply(firstPairs, detections, &matched)
        let highLeft = high.filter { index in !firstPairs.contains { $0.detection == index } }

        // 3. Low detections against confirmed tracks matched last frame but not yet this one.
        let recentlyTracked = confirmed.filter { !matched.contains($0) && tracks[$0].misses == 0 }
        apply(match(recentlyTracked, low, in: detections, minimumIoU: config.lowMatchIoU), detections, &matched)

        // 4. Leftover high detections against tentative tracks.
        let tentative = tracks.indices.filter { !tracks[$0].isConfirmed }
        let tentativePairs = match(tentative, highLeft, in: detections, minimumIoU: config.tentativeMatchIoU)
        apply(tentativePairs, detections, &matched)
        let unclaimed = highLeft.filter { index in !tentativePairs.contains { $0.detection == index } }

        // 5. Age, confirm, drop.
        for index in tracks.indices where !matched.contains(index) { tracks[index].misses += 1 }
        for index in tracks.indices where !tracks[index].isConfirmed && tracks[index].hits >= config.confirmationHits {
            lastID += 1
            tracks[index].id = lastID
        }
        tracks.removeAll { track in
            track.isConfirmed ? track.misses > config.maxMissedFrames : track.misses > 0
        }
        for index in unclaimed where detections[index].score >= config.newTrackThreshold {
            let detection = detections[index]
            var track = Track(
                id: 0, classID: detection.classID, label: detection.label, score: detection.score,
                filter: ConstantVelocityBoxFilter(detection.box), hits: 1, misses: 0)
            if config.confirmationHits <= 1 {
                lastID += 1
                track.id = lastID
            }
            tracks.append(track)
        }
        return tracks.filter { $0.isConfirmed && $0.misses == 0 }
            .map { TrackedObject(id: $0.id, classID: $0.classID, label: $0.label, score: $0.score, box: $0.filter.box, hits: $0.hits) }
            .sorted { $0.id < $1.id }
    }

    /// Optimal pairs of `trackIndices` and `detectionIndices` by IoU of the predicted boxes.
    private func match(
        _ trackIndices: [Int], _ detectionIndices: [Int], in detections: [LabeledDetection], minimumIoU: Float
    ) -> [(track: Int, detection: Int)] {
        guard !trackIndices.isEmpty, !detectionIndices.isEmpty else { return [] }
        var costs = [Double](repeating: .infinity, count: trackIndices.count * detectionIndices.count)
        for (row, trackIndex) in trackIndices.enumerated() {
            let track = tracks[trackIndex]
            let predicted = track.filter.box
            for (column, detectionIndex) in detectionIndices.enumerated() {
                let detection = detections[detectionIndex]
                if configuration.matchesClassesOnly && detection.classID != track.classID { continue }
                let iou = predicted.intersectionOverUnion(with: detection.box)
                if iou >= minimumIoU && iou > 0 { costs[row * detectionIndices.count + column] = 1 - Double(iou) }
            }
        }
        // A pair is allowed when 1 − IoU ≤ 1 − minimumIoU; the limit sits just above that.
        let limit = (1 - Double(minimumIoU)).nextUp
        return LinearAssignment.solve(costs: costs, rows: trackIndices.count, columns: detectionIndices.count, costLimit: max(limit, 1e-9))
            .map { (trackIndices[$0.row], detectionIndices[$0.column]) }
    }

    private mutating func apply(_ pairs: [(track: Int, detection: Int)], _ detections: [LabeledDetection], _ matched: inout Set<Int>) {
        for (trackIndex, detectionIndex) in pairs {
            let detection = detections[detectionIndex]
            tracks[trackIndex].filter.update(detection.box)
            tracks[trackIndex].score = detection.score
            tracks[trackIndex].hits += 1
            tracks[trackIndex].misses = 0
            matched.insert(trackIndex)
        }
    }
}
