import LiteDetectImage
import XCTest

/// Every JPEG/PNG variant decodes to exactly the pixels Pillow decodes from the same file
/// (fixtures: Tools/reference/image/make_decode_fixtures.py).
final class DecodeReferenceTests: XCTestCase {
    struct Manifest: Decodable {
        struct Case: Decodable {
            var name: String
            var file: String
            var expected: String
            var width: Int
            var height: Int
            var description: String
        }
        struct Truncated: Decodable {
            var file: String
            var completeExpected: String
            var width: Int
            var height: Int
            var intactRows: Int
        }
        var decode: [Case]
        var truncated: Truncated
    }

    /// Largest per-byte difference between two equally sized images (Int.max if sizes differ).
    private func maxDifference(_ image: RGBImage, _ expected: [UInt8], width: Int, height: Int, rows: Int? = nil) -> Int {
        guard image.width == width, image.height == height else { return Int.max }
        let packed = image.packed().pixels
        let count = (rows ?? height) * width * 3
        var worst = 0
        for index in 0..<count { worst = max(worst, abs(Int(packed[index]) - Int(expected[index]))) }
        return worst
    }

    func testEveryVariantMatchesPillowExactly() throws {
        let manifest = try Fixtures.json("decode/cases.json", as: Manifest.self)
        XCTAssertGreaterThanOrEqual(manifest.decode.count, 40)
        for testCase in manifest.decode {
            let expected = try Fixtures.bytes(testCase.expected)
            XCTAssertEqual(expected.count, testCase.width * testCase.height * 3, testCase.name)
            let decoded = try ImageFile.load(Fixtures.path(testCase.file))
            // Same libjpeg-turbo settings as Pillow (ISLOW IDCT, fancy upsampling): no tolerance needed.
            let difference = maxDifference(decoded.image, expected, width: testCase.width, height: testCase.height)
            XCTAssertEqual(
                difference, 0,
                "\(testCase.name) (\(testCase.description)): decoded "
                    + "\(decoded.image.width)x\(decoded.image.height), expected \(testCase.width)x\(testCase.height)")
            XCTAssertEqual(decoded.format, testCase.file.hasSuffix(".png") ? .png : .jpeg, testCase.name)
            XCTAssertFalse(decoded.isTruncated, testCase.name)
        }
    }

    func testDecodingFromBytesMatchesDecodingFromFile() throws {
        let bytes = try Fixtures.bytes("decode/jpeg_progressive_420.jpg")
        let fromBytes = try ImageDecoder.decode(bytes, source: "progressive")
        let fromFile = try ImageFile.load(Fixtures.path("decode/jpeg_progressive_420.jpg"))
        XCTAssertEqual(fromBytes.image, fromFile.image)
    }

    func testMissingEOIDecodesWithAWarningOnly() throws {
        let decoded = try ImageFile.load(Fixtures.path("decode/jpeg_missing_eoi.jpg"))
        XCTAssertFalse(decoded.isTruncated)
        XCTAssertTrue(decoded.warnings.contains { $0.contains("Premature end of JPEG file") }, "\(decoded.warnings)")
    }

    func testTruncatedJPEGIsRefusedByDefaultAndPaddedOnRequest() throws {
        let manifest = try Fixtures.json("decode/cases.json", as: Manifest.self)
        let truncated = manifest.truncated
        let path = Fixtures.path(truncated.file)
        XCTAssertThrowsError(try ImageFile.load(path)) { error in
            guard case ImageError.truncated(let source, .jpeg, _) = error else {
                return XCTFail("expected .truncated, got \(error)")
            }
            XCTAssertEqual(source, path)
        }
        let padded = try ImageFile.load(path, options: ImageDecodingOptions(acceptsTruncatedJPEG: true))
        XCTAssertTrue(padded.isTruncated)
        XCTAssertFalse(padded.warnings.isEmpty)
        // The rows decoded before the data ran out equal the complete file's pixels (Pillow).
        let complete = try Fixtures.bytes(truncated.completeExpected)
        XCTAssertEqual(
            maxDifference(
                padded.image, complete, width: truncated.width, height: truncated.height,
                rows: truncated.intactRows), 0)
        // …and the rest is not: otherwise the file would not really be truncated.
        XCTAssertNotEqual(maxDifference(padded.image, complete, width: truncated.width, height: truncated.height), 0)
    }

    func testOrientationIsReportedAndCanBeLeftUnapplied() throws {
        let path = Fixtures.path("decode/jpeg_exif_orientation_6.jpg")
        let upright = try ImageFile.load(path)
        let stored = try ImageFile.load(path, options: ImageDecodingOptions(appliesExifOrientation: false))
        XCTAssertEqual(upright.orientation, .right)
        XCTAssertEqual(stored.orientation, .right)
        XCTAssertEqual(stored.image.width, upright.image.height)
        XCTAssertEqual(stored.image.applying(.right), upright.image)
        let plain = try ImageFile.load(Fixtures.path("decode/jpeg_baseline_444.jpg"))
        XCTAssertEqual(plain.orientation, .up)
    }
}
