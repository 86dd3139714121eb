import LiteDetectImage
import XCTest

/// The hand-written EXIF reader on crafted segments (the Pillow-checked end-to-end cases are in
/// DecodeReferenceTests): malformed data yields nil, never a crash.
final class ExifOrientationTests: XCTestCase {
    /// SOI + APP1 "Exif" segment holding `tiff` + SOS.
    private func jpeg(tiff: [UInt8]) -> [UInt8] {
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + [0xFF, 0xDA, 0, 2]
    }

    /// A little-endian TIFF header with one IFD0 entry.
    private func tiff(tag: UInt16 = 0x0112, type: UInt16 = 3, count: UInt32 = 1, value: UInt16, ifdOffset: UInt32 = 8) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xFFFF)) + le16(UInt16(v >> 16)) }
        return Array("II".utf8) + le16(42) + le32(ifdOffset) + le16(1) + le16(tag) + le16(type) + le32(count) + le16(value) + [0, 0] + le32(0)
    }

    func testReadsEveryValidValue() {
        for value in 1...8 {
            XCTAssertEqual(ExifOrientation.fromJPEG(jpeg(tiff: tiff(value: UInt16(value)))), ExifOrientation(rawValue: value))
        }
    }

    func testMalformedOrMissingTagsGiveNil() {
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(value: 0))))
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(value: 9))))
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(type: 4, value: 6))), "LONG is not the tag's type")
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(count: 2, value: 6))))
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(tag: 0x0110, value: 6))), "another tag")
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: tiff(value: 6, ifdOffset: 4000))), "IFD beyond the data")
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: Array(tiff(value: 6).prefix(13)))), "entry cut short")
        XCTAssertNil(ExifOrientation.fromJPEG(jpeg(tiff: Array("XX".utf8) + tiff(value: 6).dropFirst(2))), "bad byte order")
        XCTAssertNil(ExifOrientation.fromJPEG([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x45]), "segment longer than the data")
        XCTAssertNil(ExifOrientation.fromJPEG([0x89, 0x50, 0x4E, 0x47]), "not a JPEG")
        XCTAssertNil(ExifOrientation.fromJPEG([]))
    }

    /// An orientation tag after the first scan is image data, not metadata.
    func testStopsAtTheFirstScan() {
        let exif = jpeg(tiff: tiff(value: 6))
        let scanFirst: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0, 2] + exif.dropFirst(2)
        XCTAssertNil(ExifOrientation.fromJPEG(scanFirst))
    }

    /// Applying an orientation and then its inverse restores the image.
    func testOrientationsComposeWithTheirInverses() throws {
        var pixels = [UInt8]()
        for index in 0..<(5 * 3 * 3) { pixels.append(UInt8(index * 5)) }
        let image = try XCTUnwrap(RGBImage(width: 5, height: 3, pixels: pixels))
        let inverse: [ExifOrientation: ExifOrientation] = [
            .up: .up, .upMirrored: .upMirrored, .down: .down, .downMirrored: .downMirrored,
            .leftMirrored: .leftMirrored, .right: .left, .rightMirrored: .rightMirrored, .left: .right,
        ]
        for orientation in ExifOrientation.allCases {
            let turned = image.applying(orientation)
            XCTAssertEqual(turned.width, orientation.swapsWidthAndHeight ? 3 : 5)
            XCTAssertEqual(turned.applying(inverse[orientation]!), image, "\(orientation)")
        }
        // `.right` (6): the stored bottom-left pixel ends up top-left.
        XCTAssertEqual(image.applying(.right)[0, 0], image[0, 2])
    }
}
