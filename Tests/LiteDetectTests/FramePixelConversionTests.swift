import LiteDetect
import XCTest

/// Raw frames into RGB, and RGB into I420, against OpenCV's `cvtColor` (BT.601 limited range)
/// on random planes covering the whole 0…255 range.
final class FramePixelConversionTests: XCTestCase {
    private func rgb(of frame: PixelFrame) throws -> [UInt8] {
        var image = RGBImage(width: frame.width, height: frame.height)
        try frame.convert(into: &image)
        return image.pixels
    }

    private func assertEqualPixels(_ actual: [UInt8], _ expected: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        let differing = zip(actual, expected).filter { $0 != $1 }.count
        let worst = zip(actual, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertEqual(differing, 0, "\(what): \(differing) of \(expected.count) values differ, by up to \(worst)", file: file, line: line)
    }

    func testI420MatchesOpenCV() throws {
        let fixture = try FrameFixtures.conversions()
        let planes = try FrameFixtures.bytes("i420"), expected = try FrameFixtures.bytes("i420_to_rgb")
        let actual = try planes.withUnsafeBytes { bytes in
            try rgb(of: try PixelFrame(format: .i420, width: fixture.width, height: fixture.height, bytes: bytes))
        }
        assertEqualPixels(actual, expected, "I420 → RGB")
    }

    func testNV12MatchesOpenCV() throws {
        let fixture = try FrameFixtures.conversions()
        let planes = try FrameFixtures.bytes("nv12"), expected = try FrameFixtures.bytes("nv12_to_rgb")
        let actual = try planes.withUnsafeBytes { bytes in
            try rgb(of: try PixelFrame(format: .nv12, width: fixture.width, height: fixture.height, bytes: bytes))
        }
        assertEqualPixels(actual, expected, "NV12 → RGB")
    }

    /// 4:2:2 and 4:4:4 with the I420 chroma replicated to their resolution must give OpenCV's
    /// I420 result: same matrix, chroma sample per pixel chosen the same way.
    func testI422AndI444WithReplicatedChromaMatchOpenCVsI420() throws {
        let fixture = try FrameFixtures.conversions()
        let (width, height) = (fixture.width, fixture.height)
        let planes = try FrameFixtures.bytes("i420"), expected = try FrameFixtures.bytes("i420_to_rgb")
        let luma = Array(planes[0..<(width * height)])
        let quarter = (width / 2) * (height / 2)
        let u = Array(planes[(width * height)..<(width * height + quarter)]), v = Array(planes[(width * height + quarter)...])
        func upsampled(_ plane: [UInt8], rows: Bool, columns: Bool) -> [UInt8] {
            let (outWidth, outHeight) = (columns ? width : width / 2, rows ? height : height / 2)
            return (0..<(outWidth * outHeight)).map { index in
                let (y, x) = (index / outWidth, index % outWidth)
                return plane[(rows ? y / 2 : y) * (width / 2) + (columns ? x / 2 : x)]
            }
        }
        for (format, rows, columns) in [(PixelFormat.i422, true, false), (.i444, true, true)] {
            let bytes = luma + upsampled(u, rows: rows, columns: columns) + upsampled(v, rows: rows, columns: columns)
            let actual = try bytes.withUnsafeBytes { try rgb(of: try PixelFrame(format: format, width: width, height: height, bytes: $0)) }
            assertEqualPixels(actual, expected, "\(format) → RGB")
        }
    }

    /// Odd sizes and row strides: a 63×47 window of the fixture's planes, read through the
    /// full-size strides, is the same window of OpenCV's result.
    func testStridedOddSizedWindowMatchesOpenCV() throws {
        let fixture = try FrameFixtures.conversions()
        let (width, height) = (fixture.width, fixture.height)
        let planes = try FrameFixtures.bytes("i420"), expected = try FrameFixtures.bytes("i420_to_rgb")
        let (windowWidth, windowHeight) = (width - 1, height - 1)
        let actual = try planes.withUnsafeBytes { all in
            let quarter = (width / 2) * (height / 2)
            let lumaCount: Int = width * height
            let uStart: Int = lumaCount, vStart: Int = lumaCount + quarter
            let y = PixelPlane(bytes: UnsafeRawBufferPointer(rebasing: all[0..<lumaCount]), bytesPerRow: width)
            let u = PixelPlane(bytes: UnsafeRawBufferPointer(rebasing: all[uStart..<vStart]), bytesPerRow: width / 2)
            let v = PixelPlane(bytes: UnsafeRawBufferPointer(rebasing: all[vStart..<all.count]), bytesPerRow: width / 2)
            return try rgb(of: try PixelFrame(format: .i420, width: windowWidth, height: windowHeight, planes: y, u, v))
        }
        var window: [UInt8] = []
        for row in 0..<windowHeight {
            let start = row * width * 3
            window += expected[start..<(start + windowWidth * 3)]
        }
        assertEqualPixels(actual, window, "63×47 window of I420 → RGB")
    }

    func testPackedFormatsWithRowPaddingGiveTheSamePixels() throws {
        let image = FrameFixtures.randomImage(width: 13, height: 7, seed: 3)
        for format in [PixelFormat.rgb8, .bgr8, .rgba8, .bgra8] {
            let (bytes, stride) = FrameFixtures.packed(image, as: format, padding: 5)
            let actual = try bytes.withUnsafeBytes {
                try rgb(of: try PixelFrame(format: format, width: 13, height: 7, bytes: $0, bytesPerRow: stride))
            }
            assertEqualPixels(actual, image.pixels, "\(format) → RGB")
        }
        let (gray, stride) = FrameFixtures.packed(image, as: .gray8, padding: 3)
        let actual = try gray.withUnsafeBytes { try rgb(of: try PixelFrame(format: .gray8, width: 13, height: 7, bytes: $0, bytesPerRow: stride)) }
        assertEqualPixels(actual, image.pixels.enumerated().map { image.pixels[$0.offset - $0.offset % 3] }, "gray8 → RGB")
    }

    /// OpenCV takes a 2×2 block's chroma from its top-left pixel and LiteDetect from the block's
    /// mean; on an image of uniform 2×2 blocks they must agree exactly, luma everywhere.
    func testRGBToI420MatchesOpenCV() throws {
        let fixture = try FrameFixtures.conversions()
        let (width, height) = (fixture.width, fixture.height)
        func i420(_ key: String) throws -> [UInt8] {
            let image = try XCTUnwrap(RGBImage(width: width, height: height, pixels: try FrameFixtures.bytes(key)))
            var planes = [UInt8](repeating: 0, count: PixelFormat.i420.contiguousByteCount(width: width, height: height))
            try planes.withUnsafeMutableBytes { try image.writeI420(into: $0) }
            return planes
        }
        assertEqualPixels(try i420("block_rgb"), try FrameFixtures.bytes("block_rgb_to_i420"), "uniform blocks RGB → I420")
        let lumaCount = width * height
        assertEqualPixels(
            Array(try i420("random_rgb").prefix(lumaCount)), Array(try FrameFixtures.bytes("random_rgb_to_i420").prefix(lumaCount)),
            "random RGB → I420 luma")
    }

    func testRGBToI420ChromaIsTheBlockMean() throws {
        // A 2×2 block half red, half blue: its chroma is that of the mean colour (127.5, 0, 127.5),
        // not of either pixel. Odd edges average what exists (3×1 → the last column alone).
        let image = RGBImage(
            width: 3, height: 2, pixels: [255, 0, 0, 0, 0, 255, 9, 9, 9, /* row 2 */ 0, 0, 255, 255, 0, 0, 9, 9, 9])!
        var planes = [UInt8](repeating: 0, count: PixelFormat.i420.contiguousByteCount(width: 3, height: 2))
        try planes.withUnsafeMutableBytes { try image.writeI420(into: $0) }
        // U = 128 − 0.148·R − 0.291·G + 0.439·B and V = 128 + 0.439·R − 0.368·G − 0.071·B on the means.
        func u(_ r: Double, _ g: Double, _ b: Double) -> UInt8 { UInt8((128 - 0.148 * r - 0.291 * g + 0.439 * b).rounded()) }
        func v(_ r: Double, _ g: Double, _ b: Double) -> UInt8 { UInt8((128 + 0.439 * r - 0.368 * g - 0.071 * b).rounded()) }
        XCTAssertEqual(Array(planes[6...]), [u(127.5, 0, 127.5), u(9, 9, 9), v(127.5, 0, 127.5), v(9, 9, 9)])
    }

    func testInconsistentFramesAreRejectedWithTheReason() throws {
        let bytes = [UInt8](repeating: 0, count: 100)
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try PixelFrame(format: .rgb8, width: 10, height: 4, bytes: raw)) { error in
                XCTAssertEqual("\(error)", "rgb8 frame 10x4: plane 0 holds 100 bytes, less than the 4 rows of 30 bytes it needs")
            }
            XCTAssertThrowsError(try PixelFrame(format: .rgb8, width: 10, height: 2, bytes: raw, bytesPerRow: 20)) { error in
                XCTAssertTrue("\(error)".contains("20 bytes per row, less than the 30 a row needs"), "\(error)")
            }
            let plane = PixelPlane(bytes: raw, bytesPerRow: 10)
            XCTAssertThrowsError(try PixelFrame(format: .i420, width: 10, height: 4, planes: plane, plane)) { error in
                XCTAssertTrue("\(error)".contains("needs 3 plane(s), got 2"), "\(error)")
            }
            XCTAssertThrowsError(try PixelFrame(format: .gray8, width: 0, height: 4, bytes: raw))
        }
    }
}
