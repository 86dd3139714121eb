import LiteDetectImage
import XCTest

final class DrawingTests: XCTestCase {
    /// Every printable glyph is parsed from the font sheet, has ink (except space), and no two
    /// glyphs are identical (a shifted sheet or a pasted glyph would show up here).
    func testFontHasADistinctGlyphForEveryPrintableCharacter() {
        var seen = [[UInt8]: Character]()
        for code in 32...126 {
            let scalar = Unicode.Scalar(UInt8(code))
            let rows = Array(BitmapFont.rows(for: scalar))
            XCTAssertEqual(rows.count, BitmapFont.glyphHeight)
            XCTAssertTrue(rows.allSatisfy { $0 < 1 << BitmapFont.glyphWidth }, "glyph \(scalar) wider than 5")
            if code == 32 {
                XCTAssertEqual(rows, Array(repeating: 0, count: BitmapFont.glyphHeight))
                continue
            }
            XCTAssertTrue(rows.contains { $0 != 0 }, "glyph \(scalar) is blank")
            if let other = seen[rows] { XCTFail("glyphs \(other) and \(scalar) are identical") }
            seen[rows] = Character(scalar)
        }
        XCTAssertEqual(Array(BitmapFont.rows(for: "é")), Array(BitmapFont.rows(for: "?")))
    }

    func testOnlyDescenderGlyphsReachBelowTheBaseline() {
        let descenders = Set("gjpqy,;_")
        for code in 33...126 {
            let character = Character(Unicode.Scalar(UInt8(code)))
            let rows = Array(BitmapFont.rows(for: Unicode.Scalar(UInt8(code))))
            let belowBaseline = rows[BitmapFont.capHeight...].contains { $0 != 0 }
            XCTAssertEqual(belowBaseline, descenders.contains(character), "glyph \(character)")
        }
    }

    func testTextDrawsExactlyTheGlyphPixelsScaled() {
        var image = RGBImage(width: 40, height: 30)
        image.draw(text: "Hi", x: 3, y: 2, scale: 2, color: .white)
        let glyphBits = ["H", "i"].flatMap { BitmapFont.rows(for: Unicode.Scalar($0)!) }.map { $0.nonzeroBitCount }.reduce(0, +)
        var ink = 0
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] == .white {
                ink += 1
                XCTAssertTrue(x >= 3 && x < 3 + BitmapFont.width(of: "Hi") * 2 && y >= 2 && y < 2 + 9 * 2, "ink at \(x), \(y)")
            }
        }
        XCTAssertEqual(ink, glyphBits * 4)
        // Top-left of "H" is ink: its first row is "#...#".
        XCTAssertEqual(image[3, 2], .white)
        XCTAssertEqual(image[4, 3], .white)
    }

    func testDrawingPartlyOrWhollyOutsideIsClipped() {
        var image = RGBImage(width: 10, height: 8)
        image.fill(PixelRect(x: -5, y: -5, width: 8, height: 7), color: .white)
        image.stroke(PixelRect(x: 6, y: 6, width: 100, height: 100), lineWidth: 3, color: .white)
        image.draw(text: "far away", x: 1000, y: -1000, scale: 3, color: .white)
        image.draw(text: "edge", x: -7, y: 5, scale: 1, color: .white)
        XCTAssertEqual(image[0, 0], .white)
        XCTAssertEqual(image[2, 1], .white)
        XCTAssertEqual(image[3, 2], .black)
    }

    func testStrokeStaysInsideTheRectangle() {
        var image = RGBImage(width: 20, height: 20)
        let rect = PixelRect(x: 4, y: 5, width: 9, height: 7)
        image.stroke(rect, lineWidth: 2, color: .white)
        for y in 0..<20 {
            for x in 0..<20 {
                let inside = x >= rect.x && x < rect.maxX && y >= rect.y && y < rect.maxY
                let interior = x >= rect.x + 2 && x < rect.maxX - 2 && y >= rect.y + 2 && y < rect.maxY - 2
                XCTAssertEqual(image[x, y] == .white, inside && !interior, "pixel \(x), \(y)")
            }
        }
    }

    func testCaptionFormatsTheScoreWithTwoDecimals() {
        XCTAssertEqual(BoxAnnotation(xMin: 0, yMin: 0, xMax: 1, yMax: 1, classID: 1, label: "person", score: 0.97).caption, "person 0.97")
        XCTAssertEqual(BoxAnnotation(xMin: 0, yMin: 0, xMax: 1, yMax: 1, classID: 1, label: "dog", score: 0.054).caption, "dog 0.05")
        XCTAssertEqual(BoxAnnotation(xMin: 0, yMin: 0, xMax: 1, yMax: 1, classID: 1, label: "cat", score: 0.999).caption, "cat 1.00")
        XCTAssertEqual(BoxAnnotation(xMin: 0, yMin: 0, xMax: 1, yMax: 1, classID: 1, label: "car", score: nil).caption, "car")
    }

    func testLabelSitsOnTopOfTheBoxAndFlipsInsideAtTheTopEdge() {
        let style = AnnotationStyle(lineWidth: 2, textScale: 2)
        func layout(_ annotation: BoxAnnotation) -> AnnotationLayout {
            AnnotationLayout.layouts(for: [annotation], imageWidth: 640, imageHeight: 480, style: style)[0]
        }
        let roomy = layout(BoxAnnotation(xMin: 100, yMin: 200, xMax: 180, yMax: 300, classID: 0, label: "person", score: 0.9))
        XCTAssertEqual(roomy.box, PixelRect(x: 100, y: 200, width: 80, height: 100))
        XCTAssertEqual(roomy.label.maxY, roomy.box.y)
        XCTAssertEqual(roomy.label.x, roomy.box.x)
        XCTAssertEqual(roomy.label.height, (BitmapFont.glyphHeight + 2) * 2)

        let atTop = layout(BoxAnnotation(xMin: 100, yMin: 3, xMax: 180, yMax: 300, classID: 0, label: "person", score: 0.9))
        XCTAssertEqual(atTop.label.y, atTop.box.y)
        XCTAssertEqual(atTop.label.x, atTop.box.x)
    }

    /// Wherever the box is, however long the caption, the label stays inside the image and the
    /// caption inside the label. A caption too wide for the image even at the smallest allowed
    /// scale is shortened and ends in "...".
    func testLabelAlwaysStaysInsideTheImage() {
        let sizes = [(640, 480), (97, 61), (40, 300), (1920, 1080)]
        let captions = ["person", "traffic light", "a very long class name that cannot fit"]
        for (width, height) in sizes {
            for caption in captions {
                for (fx, fy) in [(-0.2, -0.2), (0, 0), (0.5, 0.5), (0.9, 0.95), (1.0, 1.0), (1.3, 0.2)] {
                    let box = BoxAnnotation(
                        xMin: fx * Double(width), yMin: fy * Double(height),
                        xMax: fx * Double(width) + 30, yMax: fy * Double(height) + 20,
                        classID: 3, label: caption, score: 0.5)
                    let layout = AnnotationLayout.layouts(for: [box], imageWidth: width, imageHeight: height)[0]
                    let where_ = "\(caption) at \(fx), \(fy) on \(width)x\(height)"
                    XCTAssertEqual(layout.box.clipped(width: width, height: height), layout.box, where_)
                    XCTAssertFalse(layout.box.isEmpty, where_)
                    XCTAssertEqual(layout.label.clipped(width: width, height: height), layout.label, where_)
                    if layout.caption != box.caption {
                        XCTAssertTrue(layout.caption.hasSuffix("..."), where_)
                        XCTAssertTrue(box.caption.hasPrefix(String(layout.caption.dropLast(3))), where_)
                        XCTAssertGreaterThan((BitmapFont.width(of: box.caption) + 4) * layout.textScale, width, where_)
                    }
                    XCTAssertGreaterThanOrEqual(layout.textX, layout.label.x, where_)
                    XCTAssertLessThanOrEqual(layout.textX + BitmapFont.width(of: layout.caption) * layout.textScale, layout.label.maxX, where_)
                    XCTAssertLessThanOrEqual(layout.textY + BitmapFont.glyphHeight * layout.textScale, layout.label.maxY, where_)
                }
            }
        }
    }

    func testTextColourIsTheMoreContrastingOfBlackAndWhite() {
        func contrast(_ a: RGBColor, _ b: RGBColor) -> Double {
            let (la, lb) = (a.relativeLuminance, b.relativeLuminance)
            return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
        }
        for color in ClassPalette.okabeIto.colors + [.white, .black, RGBColor(hex: 0x777777)] {
            let text = color.contrastingTextColor
            let other: RGBColor = text == .black ? .white : .black
            XCTAssertGreaterThanOrEqual(contrast(color, text), contrast(color, other), "\(color)")
            XCTAssertGreaterThanOrEqual(contrast(color, text), 4.5, "\(color) fails WCAG AA with \(text)")
        }
        XCTAssertEqual(RGBColor.white.relativeLuminance, 1, accuracy: 1e-12)
        XCTAssertEqual(RGBColor.black.relativeLuminance, 0, accuracy: 1e-12)
    }

    /// Colours cycle every 8 ids and the outline changes with each round, so the same colour with
    /// the same outline comes back every 24 ids.
    func testPaletteCyclesColoursThenOutlineStyles() {
        let palette = ClassPalette.okabeIto
        XCTAssertEqual(Set(palette.colors).count, 8)
        XCTAssertEqual(palette.lineStyles, [.solid, .dashed, .dotted])
        for id in 0..<90 {
            XCTAssertNotEqual(palette.color(forClass: id), palette.color(forClass: id + 1), "\(id)")
            XCTAssertEqual(palette.color(forClass: id), palette.color(forClass: id + 8), "\(id)")
            XCTAssertNotEqual(palette.lineStyle(forClass: id), palette.lineStyle(forClass: id + 8), "\(id)")
            XCTAssertEqual(palette.lineStyle(forClass: id), palette.lineStyle(forClass: id + 24), "\(id)")
        }
        XCTAssertEqual(palette.lineStyle(forClass: 1), .solid)
        XCTAssertEqual(palette.lineStyle(forClass: 9), .dashed)
        XCTAssertEqual(palette.lineStyle(forClass: 17), .dotted)
        XCTAssertEqual(palette.color(forClass: 1), RGBColor(hex: 0xD55E00))  // COCO person: vermillion
        XCTAssertEqual(palette.color(forClass: -3), palette.color(forClass: 3))
        XCTAssertEqual(palette.lineStyle(forClass: -11), palette.lineStyle(forClass: 11))
        let plain = ClassPalette(colors: [.white, .black])
        XCTAssertEqual(plain.lineStyle(forClass: 5), .solid)
    }

    /// A dashed or dotted outline stays inside the rectangle, marks all four corners, and leaves
    /// gaps at least as long as its pattern's gap. A dotted one has more, shorter runs than a
    /// dashed one.
    func testDashedAndDottedOutlines() {
        let rect = PixelRect(x: 3, y: 4, width: 61, height: 40)
        var runCounts: [LineStyle: Int] = [:]
        for style in LineStyle.allCases {
            var image = RGBImage(width: 70, height: 50)
            image.stroke(rect, lineWidth: 2, color: .white, style: style)
            for y in 0..<image.height {
                for x in 0..<image.width where image[x, y] == .white {
                    let inside = x >= rect.x && x < rect.maxX && y >= rect.y && y < rect.maxY
                    let interior = x >= rect.x + 2 && x < rect.maxX - 2 && y >= rect.y + 2 && y < rect.maxY - 2
                    XCTAssertTrue(inside && !interior, "\(style) ink at \(x), \(y)")
                }
            }
            for (x, y) in [(rect.x, rect.y), (rect.maxX - 1, rect.y), (rect.x, rect.maxY - 1), (rect.maxX - 1, rect.maxY - 1)] {
                XCTAssertEqual(image[x, y], .white, "\(style) corner \(x), \(y)")
            }
            // Runs of ink and gaps along the top edge.
            var runs: [(ink: Bool, length: Int)] = []
            for x in rect.x..<rect.maxX {
                let ink = image[x, rect.y] == .white
                if let last = runs.last, last.ink == ink { runs[runs.count - 1].length += 1 } else { runs.append((ink, 1)) }
            }
            runCounts[style] = runs.filter(\.ink).count
            if let (on, off) = style.pattern(lineWidth: 2) {
                XCTAssertTrue(runs.filter { !$0.ink }.allSatisfy { $0.length >= off }, "\(style) gaps \(runs)")
                XCTAssertTrue(runs.filter(\.ink).allSatisfy { $0.length == on }, "\(style) dashes \(runs)")
            } else {
                XCTAssertEqual(runs.count, 1)
            }
        }
        XCTAssertGreaterThan(runCounts[.dotted]!, runCounts[.dashed]!)
        XCTAssertGreaterThan(runCounts[.dashed]!, 1)
    }

    func testAnnotationsPaintBoxLabelAndCaption() {
        var image = RGBImage(width: 200, height: 150, fill: RGBColor(hex: 0x808080))
        let annotation = BoxAnnotation(xMin: 50, yMin: 60, xMax: 120, yMax: 140, classID: 2, label: "person", score: 0.97)
        image.draw([annotation])
        let layout = AnnotationLayout.layouts(for: [annotation], imageWidth: 200, imageHeight: 150)[0]
        XCTAssertEqual(image[layout.box.x, layout.box.maxY - 1], layout.boxColor)
        XCTAssertEqual(image[layout.box.maxX - 1, layout.box.y + layout.box.height / 2], layout.boxColor)
        XCTAssertEqual(image[layout.box.x + layout.box.width / 2, layout.box.y + layout.box.height / 2], RGBColor(hex: 0x808080))
        XCTAssertEqual(image[layout.label.x, layout.label.y], layout.boxColor)  // padding corner
        var captionPixels = 0
        for y in layout.label.y..<layout.label.maxY {
            for x in layout.label.x..<layout.label.maxX where image[x, y] == layout.textColor { captionPixels += 1 }
        }
        let glyphBits = annotation.caption.unicodeScalars.flatMap { BitmapFont.rows(for: $0) }.map(\.nonzeroBitCount).reduce(0, +)
        XCTAssertEqual(captionPixels, glyphBits * layout.textScale * layout.textScale)
    }
}
