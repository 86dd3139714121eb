import LiteDetectImage
import XCTest

/// Line width and text size from a 100-pixel thumbnail to a 4K frame.
final class AnnotationSizeTests: XCTestCase {
    /// Expected sizes with the default style: 0.4% of the shorter side for lines (at least 2), and
    /// the shorter side / 300 for the font scale (at least 1).
    ///
    /// Readability bounds: capitals are never smaller than the font's native 7 pixels. They are at
    /// least 2% of the shorter side, so a 4K frame shown halved on a 1080-line screen still has
    /// capitals over 20 px tall. A line is at least 2 px, so dashed and dotted outlines show their
    /// pattern.
    func testSizesFromAThumbnailTo4K() {
        let expected: [(width: Int, height: Int, line: Int, scale: Int)] = [
            (100, 100, 2, 1), (640, 480, 2, 2), (1920, 1080, 4, 4), (3840, 2160, 9, 7),
        ]
        for size in expected {
            let annotation = BoxAnnotation(
                xMin: Double(size.width) * 0.3, yMin: Double(size.height) * 0.3,
                xMax: Double(size.width) * 0.6, yMax: Double(size.height) * 0.8, classID: 1, label: "person", score: 0.87)
            let layout = AnnotationLayout.layouts(for: [annotation], imageWidth: size.width, imageHeight: size.height)[0]
            let name = "\(size.width)x\(size.height)"
            XCTAssertEqual(layout.lineWidth, size.line, name)
            XCTAssertEqual(layout.textScale, size.scale, name)
            XCTAssertEqual(layout.caption, "person 0.87", name)
            let capHeight = BitmapFont.capHeight * layout.textScale
            XCTAssertGreaterThanOrEqual(capHeight, 7, name)
            XCTAssertGreaterThanOrEqual(Double(capHeight), 0.02 * Double(min(size.width, size.height)), name)
            XCTAssertGreaterThanOrEqual(layout.lineWidth, 2, name)
            XCTAssertEqual(layout.label.maxY, layout.box.y, "\(name): label above the box")
        }
    }

    /// At 100 px a long caption is not wider than the image: it is shortened and ends in "...".
    /// On wider images it is whole.
    func testLongCaptionIsShortenedOnlyWhenTheImageIsTooNarrow() {
        let annotation = BoxAnnotation(xMin: 10, yMin: 30, xMax: 60, yMax: 90, classID: 10, label: "traffic light", score: 0.55)
        let small = AnnotationLayout.layouts(for: [annotation], imageWidth: 100, imageHeight: 100)[0]
        XCTAssertEqual(small.caption, "traffic light...")
        XCTAssertEqual(small.textScale, 1)
        XCTAssertLessThanOrEqual(small.label.width, 100)
        XCTAssertEqual(small.label.clipped(width: 100, height: 100), small.label)

        // Two-thirds of the way: the space before the cut is dropped.
        let narrow = AnnotationLayout.layouts(for: [annotation], imageWidth: 70, imageHeight: 100)[0]
        XCTAssertEqual(narrow.caption, "traffic...")
        // Narrower than "..." itself: as many characters as fit.
        let sliver = AnnotationLayout.layouts(for: [annotation], imageWidth: 15, imageHeight: 100)[0]
        XCTAssertEqual(sliver.caption, "tr")
        XCTAssertLessThanOrEqual(sliver.label.width, 15)

        for width in [160, 640, 3840] {
            XCTAssertEqual(
                AnnotationLayout.layouts(for: [annotation], imageWidth: width, imageHeight: 100)[0].caption, "traffic light 0.55", "\(width)")
        }
    }

    /// On a 4K frame a caption too long for scale 7 is drawn smaller, but never below half that
    /// scale. Past that it is shortened instead, so it is never shrunk to an unreadable size.
    func testWideCaptionShrinksAtMostToHalfTheScaleThenIsShortened() {
        let long = String(repeating: "x", count: 200)  // too wide even at scale 4
        let annotation = BoxAnnotation(xMin: 100, yMin: 100, xMax: 400, yMax: 400, classID: 1, label: long)
        let layout = AnnotationLayout.layouts(for: [annotation], imageWidth: 3840, imageHeight: 2160)[0]
        XCTAssertEqual(layout.textScale, 4)
        XCTAssertTrue(layout.caption.hasSuffix("..."))
        XCTAssertLessThanOrEqual(layout.label.width, 3840)
        XCTAssertGreaterThan(layout.label.width, 3840 - BitmapFont.advance * layout.textScale)  // as much as fits

        let medium = String(repeating: "x", count: 100)  // (599 + 4) font pixels: fits at scale 6, not at 7
        let shrunk = AnnotationLayout.layouts(
            for: [BoxAnnotation(xMin: 100, yMin: 100, xMax: 400, yMax: 400, classID: 1, label: medium)], imageWidth: 3840, imageHeight: 2160)[0]
        XCTAssertEqual(shrunk.textScale, 6)
        XCTAssertEqual(shrunk.caption, medium)
    }

    /// Drawing on each size paints the caption with exactly the glyph pixels of the chosen scale.
    func testCaptionPixelsAtEverySize() {
        for (width, height) in [(100, 100), (640, 480), (1920, 1080), (3840, 2160)] {
            var image = RGBImage(width: width, height: height, fill: RGBColor(hex: 0x808080))
            let annotation = BoxAnnotation(
                xMin: Double(width) * 0.2, yMin: Double(height) * 0.4, xMax: Double(width) * 0.5, yMax: Double(height) * 0.9,
                classID: 4, label: "dog", score: 0.91)
            image.draw([annotation])
            let layout = AnnotationLayout.layouts(for: [annotation], imageWidth: width, imageHeight: height)[0]
            var ink = 0
            for y in layout.label.y..<layout.label.maxY {
                for x in layout.label.x..<layout.label.maxX where image[x, y] == layout.textColor { ink += 1 }
            }
            let glyphBits = layout.caption.unicodeScalars.flatMap { BitmapFont.rows(for: $0) }.map(\.nonzeroBitCount).reduce(0, +)
            XCTAssertEqual(ink, glyphBits * layout.textScale * layout.textScale, "\(width)x\(height)")
        }
    }
}
