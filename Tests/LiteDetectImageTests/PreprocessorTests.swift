import LiteDetectImage
import XCTest

/// Plan behaviour beyond the framework comparisons in ResizeReferenceTests: geometry and box
/// mapping, validation, padded sources and reuse.
final class PreprocessorTests: XCTestCase {
    private func gradient(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBColor(red: UInt8(x * 255 / max(1, width - 1)), green: UInt8(y * 255 / max(1, height - 1)), blue: 7)
            }
        }
        return image
    }

    /// 640x480 into 300x300 letterboxed: scale min(300/640, 300/480) = 0.46875, content
    /// 300x225, centred with (300 - 225) / 2 = 37 rows above.
    func testLetterboxGeometryFollowsTheDocumentedRule() {
        let geometry = ResizeGeometry(sourceWidth: 640, sourceHeight: 480, targetWidth: 300, targetHeight: 300, mode: .letterbox(fill: .zero))
        XCTAssertEqual([geometry.contentX, geometry.contentY, geometry.contentWidth, geometry.contentHeight], [0, 37, 300, 225])
        XCTAssertEqual(geometry.scaleX, 300.0 / 640.0, accuracy: 1e-12)
        XCTAssertEqual(geometry.scaleY, 225.0 / 480.0, accuracy: 1e-12)

        // The content rectangle maps back to the whole source; a normalised box to its pixels.
        let whole = geometry.sourceBox(targetXMin: 0, targetYMin: 37, targetXMax: 300, targetYMax: 262)
        XCTAssertEqual(whole.xMin, 0, accuracy: 1e-9)
        XCTAssertEqual(whole.yMin, 0, accuracy: 1e-9)
        XCTAssertEqual(whole.xMax, 640, accuracy: 1e-9)
        XCTAssertEqual(whole.yMax, 480, accuracy: 1e-9)
        let box = geometry.sourceBox(normalizedXMin: 0.5, normalizedYMin: 0.5, normalizedXMax: 1.2, normalizedYMax: 0.6)
        XCTAssertEqual(box.xMin, 320, accuracy: 1e-9)
        XCTAssertEqual(box.yMin, (150 - 37) / (225.0 / 480.0), accuracy: 1e-9)
        XCTAssertEqual(box.xMax, 640, accuracy: 1e-9, "clamped to the source")
        XCTAssertEqual(box.yMax, (180 - 37) / (225.0 / 480.0), accuracy: 1e-9)

        let tall = ResizeGeometry(sourceWidth: 100, sourceHeight: 400, targetWidth: 320, targetHeight: 320, mode: .letterbox(fill: .zero))
        XCTAssertEqual([tall.contentX, tall.contentY, tall.contentWidth, tall.contentHeight], [120, 0, 80, 320])
        let stretch = ResizeGeometry(sourceWidth: 100, sourceHeight: 400, targetWidth: 320, targetHeight: 320, mode: .stretch)
        XCTAssertEqual([stretch.contentX, stretch.contentY, stretch.contentWidth, stretch.contentHeight], [0, 0, 320, 320])
        XCTAssertEqual(stretch.sourcePoint(targetX: 160, targetY: 32).x, 50, accuracy: 1e-12)
        XCTAssertEqual(stretch.sourcePoint(targetX: 160, targetY: 32).y, 40, accuracy: 1e-12)
    }

    func testLetterboxPaddingHoldsTheNormalisedFill() throws {
        let options = PreprocessOptions(
            targetWidth: 8, targetHeight: 8, mode: .letterbox(fill: .pixel(red: 255, green: 0, blue: 51)),
            normalization: .affine(scale: 1.0 / 255.0, offset: 0), channelOrder: .bgr)
        let plan = try Preprocessor(sourceWidth: 8, sourceHeight: 4, options: options)
        let output = try plan.run(RGBImage(width: 8, height: 4, fill: .white))
        XCTAssertEqual(plan.geometry.contentY, 2)
        func assertClose(_ actual: ArraySlice<Float>, _ expected: [Float], line: UInt = #line) {
            XCTAssertEqual(actual.count, expected.count, line: line)
            for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-6, "\(Array(actual))", line: line) }
        }
        assertClose(output[0..<3], [0.2, 0, 1])  // B, G, R of the fill
        assertClose(output[(3 * 8 * 3)..<(3 * 8 * 3 + 3)], [1, 1, 1])  // content row
        assertClose(output[(7 * 8 * 3 + 21)..<(7 * 8 * 3 + 24)], [0.2, 0, 1])
    }

    func testMismatchedImagesAndBuffersAreRejected() throws {
        let plan = try Preprocessor(sourceWidth: 10, sourceHeight: 6, options: PreprocessOptions(targetWidth: 4, targetHeight: 4))
        XCTAssertEqual(plan.outputCount, 48)
        var buffer = [Float](repeating: 0, count: 47)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBufferPointer { try plan.run(gradient(width: 10, height: 6), into: $0) }) { error in
            guard case ImageError.sizeMismatch(let what, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "output buffer")
        }
        XCTAssertThrowsError(try plan.run(gradient(width: 6, height: 10))) { error in
            guard case ImageError.sizeMismatch(let what, let expected, let actual) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "image")
            XCTAssertTrue(expected.hasPrefix("10x6") && actual.hasPrefix("6x10"), "\(error)")
        }
    }

    func testInvalidOptionsAreRejected() {
        func rejects(_ options: PreprocessOptions, width: Int = 4, height: Int = 4, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try Preprocessor(sourceWidth: width, sourceHeight: height, options: options), file: file, line: line) { error in
                guard case ImageError.invalidOption = error else { return XCTFail("\(error)", file: file, line: line) }
            }
        }
        rejects(PreprocessOptions(targetWidth: 0, targetHeight: 4))
        rejects(PreprocessOptions(targetWidth: 4, targetHeight: 4), width: 0)
        rejects(PreprocessOptions(targetWidth: 4, targetHeight: 4, normalization: .meanStd(mean: [0.5, 0.5], std: [1, 1, 1])))
        rejects(PreprocessOptions(targetWidth: 4, targetHeight: 4, normalization: .meanStd(mean: [0, 0, 0], std: [1, 0, 1])))
    }

    func testPaddedSourceRowsGiveTheSameTensorAsPackedOnes() throws {
        let image = gradient(width: 13, height: 9)
        var padded = [UInt8]()
        for y in 0..<image.height {
            padded += image.pixels[(y * 39)..<((y + 1) * 39)] + [1, 2, 3, 4]
        }
        let paddedImage = try XCTUnwrap(RGBImage(width: 13, height: 9, bytesPerRow: 43, pixels: padded))
        let options = PreprocessOptions(targetWidth: 7, targetHeight: 11, normalization: .imageNet)
        let packedPlan = try Preprocessor(sourceWidth: 13, sourceHeight: 9, options: options)
        let paddedPlan = try Preprocessor(sourceWidth: 13, sourceHeight: 9, sourceBytesPerRow: 43, options: options)
        XCTAssertEqual(try paddedPlan.run(paddedImage), try packedPlan.run(image))
    }

    /// A plan is reused across frames: the second run overwrites everything the first wrote.
    func testReusingAPlanGivesTheSameResultAsAFreshOne() throws {
        let options = PreprocessOptions(targetWidth: 9, targetHeight: 5, mode: .letterbox(fill: .zero), normalization: .signedUnitRange)
        let plan = try Preprocessor(sourceWidth: 12, sourceHeight: 12, options: options)
        let first = gradient(width: 12, height: 12)
        let second = RGBImage(width: 12, height: 12, fill: RGBColor(red: 10, green: 200, blue: 90))
        var buffer = [Float](repeating: .nan, count: plan.outputCount)
        try buffer.withUnsafeMutableBufferPointer { try plan.run(first, into: $0) }
        try buffer.withUnsafeMutableBufferPointer { try plan.run(second, into: $0) }
        let fresh = try Preprocessor(sourceWidth: 12, sourceHeight: 12, options: options).run(second)
        XCTAssertEqual(buffer, fresh)
    }

    /// The documented formula of each convention, at the edges where they differ.
    func testConventionsSampleWhereDocumented() {
        // 4 -> 8 (scale 0.5): half-pixel clamps the first sample to 0; legacy starts at 0 too.
        XCTAssertEqual(ResizeConvention.halfPixel.sourceCoordinate(outputIndex: 0, scale: 0.5), 0)
        XCTAssertEqual(ResizeConvention.halfPixel.sourceCoordinate(outputIndex: 3, scale: 0.5), 1.25)
        XCTAssertEqual(ResizeConvention.tfLegacy.sourceCoordinate(outputIndex: 3, scale: 0.5), 1.5)
        // 8 -> 4 (scale 2): half-pixel samples between source pixels, legacy on them.
        XCTAssertEqual(ResizeConvention.halfPixel.sourceCoordinate(outputIndex: 1, scale: 2), 2.5)
        XCTAssertEqual(ResizeConvention.tfLegacy.sourceCoordinate(outputIndex: 1, scale: 2), 2)
    }
}
