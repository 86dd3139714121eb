import LiteDetect
import XCTest

/// Drawing results through the public API: boxes land where the detections are, in a colour that
/// follows the class (detections) or the track id (tracks), and nothing else of the picture changes
/// apart from the caption above the box.
final class DrawingTests: XCTestCase {
    private let grey = RGBColor(red: 128, green: 128, blue: 128)

    private func changedPixels(_ image: RGBImage) -> [(x: Int, y: Int)] {
        var changed: [(x: Int, y: Int)] = []
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] != grey { changed.append((x, y)) }
        }
        return changed
    }

    func testADetectionIsDrawnOnItsBoxAndCaptionedAboveIt() {
        var image = RGBImage(width: 320, height: 240, fill: grey)
        let box = Box(x1: 100, y1: 120, x2: 200, y2: 220)
        image.drawDetections([LabeledDetection(classID: 1, label: "person", score: 0.9, box: box)])
        XCTAssertNotEqual(image[150, 120], grey, "the top edge")
        XCTAssertNotEqual(image[100, 170], grey, "the left edge")
        XCTAssertEqual(image[150, 170], grey, "inside the box")
        // Every change is on the box, or in the caption band above its top-left corner.
        for (x, y) in changedPixels(image) {
            let nearBox = x >= 96 && x <= 204 && y >= 116 && y <= 224
            let caption = x >= 96 && x < 320 && y < 120 && y >= 60
            XCTAssertTrue(nearBox || caption, "pixel (\(x), \(y)) changed away from the box and its caption")
        }
    }

    func testTracksAreColouredByIdAndDetectionsByClass() {
        let box = Box(x1: 40, y1: 60, x2: 140, y2: 160)
        /// The colours drawn beside the box (its left and right edges, below any caption).
        func edgeColours(_ image: RGBImage) -> Set<String> {
            var colours: Set<String> = []
            for y in 80..<150 {
                for x in [36, 37, 38, 39, 40, 41, 42, 43, 44, 136, 137, 138, 139, 140, 141, 142, 143, 144] where image[x, y] != grey {
                    colours.insert("\(image[x, y])")
                }
            }
            return colours
        }
        func track(_ id: Int) -> Set<String> {
            var image = RGBImage(width: 200, height: 200, fill: grey)
            image.drawTracks([TrackedObject(id: id, classID: 1, label: "person", score: 0.8, box: box, hits: 3)])
            return edgeColours(image)
        }
        func detection(classID: Int) -> Set<String> {
            var image = RGBImage(width: 200, height: 200, fill: grey)
            image.drawDetections([LabeledDetection(classID: classID, label: "x", score: 0.8, box: box)])
            return edgeColours(image)
        }
        XCTAssertFalse(track(1).isEmpty, "no box edge was drawn")
        XCTAssertNotEqual(track(1), track(2), "two tracks of one class get two colours")
        XCTAssertEqual(detection(classID: 3), detection(classID: 3))
        XCTAssertNotEqual(detection(classID: 1), detection(classID: 2), "two classes get two colours")
    }
}
