import LiteDetectImage
import XCTest

/// The joint layout: the labels of one image do not cover each other when there is room, they
/// stay inside the image, and the most confident detection gets the best spot.
final class LabelPlacementTests: XCTestCase {
    static let cocoNames = [
        "person", "bicycle", "car", "motorcycle", "bus", "truck", "traffic light", "fire hydrant", "stop sign",
        "dog", "horse", "umbrella", "handbag", "sports ball", "cell phone", "potted plant", "dining table",
    ]

    /// A crowd: 50 people in two rows, boxes 90 px wide every 48 px, with the rows overlapping by
    /// half their height. Each label is 138 px wide, so the spot above a box is usually taken by a
    /// neighbour's label. There is room for all 50 without overlap, and all 50 find it.
    func testCrowdOfFiftyOverlappingBoxesGetsLabelsThatDoNotCoverEachOther() {
        var annotations: [BoxAnnotation] = []
        for i in 0..<25 {
            for (row, top) in [(0, 150.0), (1, 300.0)] {
                let x = 20 + 48 * Double(i) + 24 * Double(row)
                let score = Float(0.99 - 0.018 * Double(annotations.count))
                annotations.append(BoxAnnotation(xMin: x, yMin: top, xMax: x + 90, yMax: top + 300, classID: 1, label: "person", score: score))
            }
        }
        XCTAssertEqual(annotations.count, 50)
        let layouts = AnnotationLayout.layouts(for: annotations, imageWidth: 1280, imageHeight: 720)
        assertLabelsInsideAndReadable(layouts, annotations, width: 1280, height: 720)
        XCTAssertEqual(overlappingPairs(layouts), [])
    }

    /// 60 random boxes with random COCO captions on images from 100 px to 4K: every label stays
    /// inside the image and readable, however crowded. With 12 boxes there is room to spare (from
    /// 640 × 480 up the labels cover under a fifth of the image), and no two labels overlap.
    func testRandomScenesAtEverySize() {
        for (width, height) in [(100, 100), (640, 480), (1920, 1080), (3840, 2160)] {
            for count in [60, 12] {
                for seed in 1...5 as ClosedRange<UInt64> {
                    var generator = SplitMix64(seed: seed)
                    let annotations = Self.randomScene(count: count, width: width, height: height, using: &generator)
                    let layouts = AnnotationLayout.layouts(for: annotations, imageWidth: width, imageHeight: height)
                    assertLabelsInsideAndReadable(layouts, annotations, width: width, height: height)
                    if count == 12 && width >= 640 {
                        let area = layouts.map { $0.label.width * $0.label.height }.reduce(0, +)
                        XCTAssertLessThan(Double(area), 0.2 * Double(width * height))
                        XCTAssertEqual(overlappingPairs(layouts), [], "\(width)x\(height), seed \(seed)")
                    }
                }
            }
        }
    }

    /// Two detections of one object: the more confident label takes the first spot (above the box)
    /// even though it comes second in the input. The other label takes the next free spot
    /// (inside, under the top edge). On drawing, the higher-scored label ends up on top.
    func testMostConfidentLabelGetsTheBestSpot() {
        let weak = BoxAnnotation(xMin: 200, yMin: 200, xMax: 400, yMax: 400, classID: 2, label: "car", score: 0.31)
        let strong = BoxAnnotation(xMin: 200, yMin: 200, xMax: 400, yMax: 400, classID: 3, label: "truck", score: 0.93)
        let layouts = AnnotationLayout.layouts(for: [weak, strong], imageWidth: 640, imageHeight: 480)
        XCTAssertEqual(layouts[1].label.maxY, 200)  // above
        XCTAssertEqual(layouts[1].label.x, 200)
        XCTAssertEqual(layouts[0].label.y, 200)  // inside, under the top edge
        XCTAssertEqual(layouts[0].label.x, 200)

        // Only the first spot exists (a box filling a tiny image): the strong label is drawn last.
        let size = (width: 70, height: 22)
        let full = [weak, strong].map {
            BoxAnnotation(
                xMin: 0, yMin: 0, xMax: Double(size.width), yMax: Double(size.height), classID: $0.classID, label: $0.label, score: $0.score)
        }
        var image = RGBImage(width: size.width, height: size.height)
        image.draw(full, style: AnnotationStyle(textScale: 1))
        let strongLayout = AnnotationLayout.layouts(
            for: full, imageWidth: size.width, imageHeight: size.height, style: AnnotationStyle(textScale: 1))[1]
        XCTAssertEqual(image[strongLayout.label.x, strongLayout.label.y], strongLayout.boxColor)
    }

    /// The layout depends only on the annotations and their scores, not on their input order.
    /// With no room at all, each label still stays inside the image.
    func testLayoutIsDeterministicAndIndependentOfInputOrder() {
        var generator = SplitMix64(seed: 11)
        let annotations = Self.randomScene(count: 40, width: 320, height: 240, using: &generator)
        let layouts = AnnotationLayout.layouts(for: annotations, imageWidth: 320, imageHeight: 240)
        XCTAssertEqual(layouts, AnnotationLayout.layouts(for: annotations, imageWidth: 320, imageHeight: 240))
        let permutation = Array(annotations.indices).reversed().map { $0 }
        let shuffled = AnnotationLayout.layouts(for: permutation.map { annotations[$0] }, imageWidth: 320, imageHeight: 240)
        for (position, index) in permutation.enumerated() {
            XCTAssertEqual(shuffled[position], layouts[index], "annotation \(index)")
        }

        // 30 identical boxes in an image with room for a handful of labels.
        let pile = (0..<30).map { BoxAnnotation(xMin: 10, yMin: 10, xMax: 50, yMax: 40, classID: $0, label: "dog", score: 0.5) }
        let piled = AnnotationLayout.layouts(for: pile, imageWidth: 120, imageHeight: 60)
        assertLabelsInsideAndReadable(piled, pile, width: 120, height: 60)
        // The first in input order wins the tie and gets the first spot that fits as it is: inside,
        // under the top edge, because the spot above the box would stick out of the image.
        XCTAssertEqual(piled[0].label.x, 10)
        XCTAssertEqual(piled[0].label.y, 10)
    }

    /// With a few hundred annotations the layout stays quick: it is O(n²), with a bounded number
    /// of spots per label.
    func testThreeHundredAnnotationsAreLaidOutQuickly() {
        var generator = SplitMix64(seed: 3)
        let annotations = Self.randomScene(count: 300, width: 1920, height: 1080, using: &generator)
        let start = ContinuousClock.now
        let layouts = AnnotationLayout.layouts(for: annotations, imageWidth: 1920, imageHeight: 1080)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        assertLabelsInsideAndReadable(layouts, annotations, width: 1920, height: 1080)
    }

    // MARK: Helpers

    static func randomScene(count: Int, width: Int, height: Int, using generator: inout SplitMix64) -> [BoxAnnotation] {
        let (w, h) = (Double(width), Double(height))
        return (0..<count).map { _ in
            let boxWidth = w * (0.03 + 0.25 * generator.nextUnit())
            let boxHeight = h * (0.05 + 0.35 * generator.nextUnit())
            let x = (w - boxWidth) * generator.nextUnit(), y = (h - boxHeight) * generator.nextUnit()
            let name = cocoNames[Int(generator.next() % UInt64(cocoNames.count))]
            let classID = 1 + Int(generator.next() % 90)
            let score = Float(0.3 + 0.69 * generator.nextUnit())
            return BoxAnnotation(xMin: x, yMin: y, xMax: x + boxWidth, yMax: y + boxHeight, classID: classID, label: name, score: score)
        }
    }

    private func overlappingPairs(_ layouts: [AnnotationLayout]) -> [[Int]] {
        var pairs: [[Int]] = []
        for i in layouts.indices {
            for j in layouts.indices where j > i {
                let (a, b) = (layouts[i].label, layouts[j].label)
                if a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY { pairs.append([i, j]) }
            }
        }
        return pairs
    }

    /// Every label inside the image, its caption inside the label at a scale of at least 1, and the
    /// caption either whole or a prefix of it ending in "...".
    private func assertLabelsInsideAndReadable(
        _ layouts: [AnnotationLayout], _ annotations: [BoxAnnotation], width: Int, height: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(layouts.count, annotations.count, file: file, line: line)
        for (layout, annotation) in zip(layouts, annotations) {
            let name = "\(annotation.caption) on \(width)x\(height)"
            XCTAssertEqual(layout.label.clipped(width: width, height: height), layout.label, name, file: file, line: line)
            XCTAssertGreaterThanOrEqual(layout.textScale, 1, name, file: file, line: line)
            XCTAssertGreaterThanOrEqual(layout.textX, layout.label.x, name, file: file, line: line)
            XCTAssertLessThanOrEqual(
                layout.textX + BitmapFont.width(of: layout.caption) * layout.textScale, layout.label.maxX, name, file: file, line: line)
            XCTAssertGreaterThanOrEqual(layout.textY, layout.label.y, name, file: file, line: line)
            XCTAssertLessThanOrEqual(layout.textY + BitmapFont.glyphHeight * layout.textScale, layout.label.maxY, name, file: file, line: line)
            if layout.caption != annotation.caption {
                XCTAssertTrue(layout.caption.hasSuffix("..."), name, file: file, line: line)
                XCTAssertTrue(annotation.caption.hasPrefix(String(layout.caption.dropLast(3))), name, file: file, line: line)
            }
        }
    }
}

/// A small seeded generator (Steele, Lea & Flood's SplitMix64), so scenes are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<1.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
