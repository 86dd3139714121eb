import LiteDetect
import XCTest

/// `MultiObjectTracker` on synthetic moving boxes whose true identities are known.
final class TrackerTests: XCTestCase {
    /// A ground-truth object: where it is in frame `t`, and its score there.
    struct Object {
        var name: String
        var classID = 1
        var start: (x: Float, y: Float)
        var velocity: (x: Float, y: Float)
        var size: (width: Float, height: Float) = (40, 80)
        var score: (Int) -> Float? = { _ in 0.9 }  // nil: not detected in that frame

        func box(_ t: Int) -> Box {
            let x = start.x + velocity.x * Float(t), y = start.y + velocity.y * Float(t)
            return Box(x1: x, y1: y, x2: x + size.width, y2: y + size.height)
        }
    }

    /// Runs `frames` frames; returns, per frame, the reported tracks as (true object name, id),
    /// attributing each track to the object whose box its box overlaps most.
    private func run(
        _ objects: [Object], frames: Int, configuration: TrackerConfiguration = TrackerConfiguration()
    ) throws -> [[String: Int]] {
        var tracker = try MultiObjectTracker(configuration: configuration)
        var history: [[String: Int]] = []
        for t in 0..<frames {
            var detections = objects.compactMap { object in
                object.score(t).map { LabeledDetection(classID: object.classID, label: object.name, score: $0, box: object.box(t)) }
            }
            // The detector's order carries no identity: rotate it every frame.
            if !detections.isEmpty { detections = Array(detections[(t % detections.count)...] + detections[..<(t % detections.count)]) }
            var frame: [String: Int] = [:]
            for track in tracker.update(with: detections) {
                let owner = objects.max { $0.box(t).intersectionOverUnion(with: track.box) < $1.box(t).intersectionOverUnion(with: track.box) }!
                XCTAssertGreaterThan(
                    owner.box(t).intersectionOverUnion(with: track.box), 0.5, "frame \(t): track \(track.id) is far from every object")
                XCTAssertNil(frame[owner.name], "frame \(t): two tracks on \(owner.name)")
                frame[owner.name] = track.id
            }
            history.append(frame)
        }
        return history
    }

    /// The id each object had over `frames` (all must be equal and present).
    private func stableIDs(
        _ history: [[String: Int]], _ names: [String], frames: Range<Int>, file: StaticString = #filePath, line: UInt = #line
    ) -> [String: Int] {
        var ids: [String: Int] = [:]
        for t in frames {
            for name in names {
                guard let id = history[t][name] else {
                    XCTFail("frame \(t): \(name) is not tracked", file: file, line: line)
                    continue
                }
                if let known = ids[name], known != id { XCTFail("frame \(t): \(name) changed id \(known) → \(id)", file: file, line: line) }
                ids[name] = id
            }
        }
        XCTAssertEqual(Set(ids.values).count, names.count, "ids must differ between objects: \(ids)", file: file, line: line)
        return ids
    }

    func testSteadyObjectsKeepDistinctIDsFromTheSecondFrame() throws {
        let objects = [
            Object(name: "a", start: (10, 10), velocity: (3, 1)), Object(name: "b", start: (200, 40), velocity: (-2, 2)),
            Object(name: "c", start: (100, 300), velocity: (0, -4)),
        ]
        let history = try run(objects, frames: 40)
        XCTAssertEqual(history[0], [:], "a track is confirmed on its second hit, not its first")
        let ids = stableIDs(history, ["a", "b", "c"], frames: 1..<40)
        XCTAssertEqual(Set(ids.values), [1, 2, 3])
    }

    func testCrossingObjectsKeepTheirIDs() throws {
        // Head-on at 8 px/frame, 10 px apart vertically: at frame 25 the boxes overlap with IoU 0.78.
        let objects = [
            Object(name: "rightward", start: (0, 100), velocity: (8, 0)), Object(name: "leftward", start: (400, 110), velocity: (-8, 0)),
        ]
        XCTAssertGreaterThan(objects[0].box(25).intersectionOverUnion(with: objects[1].box(25)), 0.7)
        let history = try run(objects, frames: 50)
        _ = stableIDs(history, ["rightward", "leftward"], frames: 1..<50)
    }

    func testDiagonalCrossingWithDifferentSpeeds() throws {
        let objects = [
            Object(name: "fast", start: (0, 0), velocity: (10, 6)), Object(name: "slow", start: (300, 60), velocity: (-3, 2), size: (50, 90)),
        ]
        let history = try run(objects, frames: 45)
        _ = stableIDs(history, ["fast", "slow"], frames: 1..<45)
    }

    func testAnOcclusionGapShorterThanTheLimitKeepsTheID() throws {
        var walker = Object(name: "walker", start: (0, 50), velocity: (6, 1))
        walker.score = { (12..<22).contains($0) ? nil : 0.9 }  // hidden for 10 frames, moving on
        let history = try run([walker], frames: 40, configuration: TrackerConfiguration(maxMissedFrames: 15))
        for t in 12..<22 { XCTAssertEqual(history[t], [:], "frame \(t): a hidden object is not reported") }
        XCTAssertEqual(history[11]["walker"], 1)
        XCTAssertEqual(history[22]["walker"], 1, "re-found with its id on reappearing")
        XCTAssertEqual(history[39]["walker"], 1)
    }

    func testAGapLongerThanTheLimitEndsTheTrack() throws {
        var walker = Object(name: "walker", start: (0, 50), velocity: (2, 0))
        walker.score = { (10..<20).contains($0) ? nil : 0.9 }
        let history = try run([walker], frames: 30, configuration: TrackerConfiguration(maxMissedFrames: 5))
        XCTAssertEqual(history[9]["walker"], 1)
        XCTAssertEqual(history[20], [:], "a new track must be confirmed again")
        XCTAssertEqual(history[21]["walker"], 2, "the deleted track's id is not reused")
    }

    func testLowScoreDetectionsKeepATrackButNeverStartOne() throws {
        var occluded = Object(name: "occluded", start: (0, 0), velocity: (4, 0))
        occluded.score = { (8..<16).contains($0) ? 0.3 : 0.9 }  // partly hidden: the detector is unsure
        var clutter = Object(name: "clutter", start: (300, 300), velocity: (0, 0))
        clutter.score = { _ in 0.3 }
        let history = try run([occluded, clutter], frames: 24)
        let ids = stableIDs(history, ["occluded"], frames: 1..<24)
        XCTAssertEqual(ids["occluded"], 1)
        XCTAssertTrue(history.allSatisfy { $0["clutter"] == nil }, "low-score detections alone never make a track")
    }

    func testBirthNeedsConsecutiveHits() throws {
        var flicker = Object(name: "flicker", start: (0, 0), velocity: (1, 0))
        flicker.score = { $0.isMultiple(of: 2) ? 0.9 : nil }  // never two frames in a row
        let steady = Object(name: "steady", start: (300, 0), velocity: (0, 1))
        let history = try run([flicker, steady], frames: 20, configuration: TrackerConfiguration(confirmationHits: 3))
        XCTAssertEqual(history[1], [:])
        XCTAssertEqual(history[2], ["steady": 1], "confirmed on the third consecutive hit")
        XCTAssertTrue(history.allSatisfy { $0["flicker"] == nil })
    }

    func testClassesAreNotMatchedAcrossEachOther() throws {
        // A person and a dog at the same spot, swapping who is "first" each frame.
        let person = Object(name: "person", classID: 1, start: (50, 50), velocity: (2, 0))
        let dog = Object(name: "dog", classID: 18, start: (52, 50), velocity: (2, 0), size: (40, 80))
        var tracker = MultiObjectTracker()
        var ids: [Int: Set<Int>] = [:]  // class → ids seen
        for t in 0..<20 {
            let detections = [dog, person].map { LabeledDetection(classID: $0.classID, label: $0.name, score: 0.9, box: $0.box(t)) }
            for track in tracker.update(with: t.isMultiple(of: 2) ? detections : detections.reversed()) {
                ids[track.classID, default: []].insert(track.id)
            }
        }
        XCTAssertEqual(ids[1]?.count, 1)
        XCTAssertEqual(ids[18]?.count, 1)
        XCTAssertNotEqual(ids[1], ids[18])
    }

    func testSameInputSameOutput() throws {
        var objects = (0..<6).map { Object(name: "o\($0)", start: (Float($0) * 37, Float($0 % 3) * 60), velocity: (Float($0 % 4) - 1.5, 1.2)) }
        objects[2].score = { $0 % 7 == 3 ? nil : 0.75 }
        func trace() throws -> [[TrackedObject]] {
            var tracker = MultiObjectTracker()
            return (0..<30).map { t in
                tracker.update(
                    with: objects.compactMap { o in o.score(t).map { LabeledDetection(classID: 1, label: "x", score: $0, box: o.box(t)) } })
            }
        }
        XCTAssertEqual(try trace(), try trace())
    }

    func testInvalidConfigurationIsRejected() {
        XCTAssertThrowsError(try MultiObjectTracker(configuration: TrackerConfiguration(highScoreThreshold: 0.3, lowScoreThreshold: 0.5)))
        XCTAssertThrowsError(try MultiObjectTracker(configuration: TrackerConfiguration(confirmationHits: 0)))
    }
}
