import Foundation
import LiteDetectImage
import XCTest

/// Writing YUV4MPEG2: round trips through the reader, RGB frames, and never replacing a file.
final class Y4MWriterTests: XCTestCase {
    func testFramesRoundTripThroughTheReader() throws {
        let path = try makeTemporaryDirectory(self) + "/out.y4m"
        let header = Y4MStreamHeader(
            width: 6, height: 3, frameRate: VideoRatio(numerator: 24000, denominator: 1001), interlacing: .progressive,
            pixelAspectRatio: VideoRatio(numerator: 1, denominator: 1), colorSpace: .c444, extensions: ["XNOTE=test"])
        let frames = (0..<3).map { index -> VideoFrame in
            var frame = VideoFrame(format: .i444, width: 6, height: 3, bytes: (0..<54).map { UInt8(($0 * 5 + index) % 256) })!
            frame.parameters = index == 1 ? "Ip" : ""
            return frame
        }
        let writer = try Y4MWriter(path: path, header: header)
        for frame in frames { try writer.write(frame) }
        try writer.close()
        XCTAssertEqual(writer.framesWritten, 3)

        let text = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertTrue(text.starts(with: Data("YUV4MPEG2 W6 H3 F24000:1001 Ip A1:1 C444 XNOTE=test\nFRAME\n".utf8)))
        let reader = try Y4MReader(path: path)
        XCTAssertEqual(reader.header, header)
        for expected in frames {
            let frame = try XCTUnwrap(try reader.readFrame())
            XCTAssertEqual(frame.bytes, expected.bytes)
            XCTAssertEqual(frame.parameters, expected.parameters)
        }
        XCTAssertNil(try reader.readFrame())
    }

    /// RGB frames are written as I420 and read back close to what was drawn: the two BT.601
    /// conversions are inverses up to rounding (and chroma averaging, so smooth content is used).
    func testRGBFramesAreWrittenAsI420() throws {
        let path = try makeTemporaryDirectory(self) + "/rgb.y4m"
        let (width, height) = (31, 17)  // odd: the last chroma row and column cover one pixel line
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBColor(red: UInt8(40 + 5 * x), green: UInt8(200 - 6 * y), blue: UInt8(90 + 2 * x + 3 * y))
            }
        }
        let writer = try Y4MWriter(
            path: path, header: Y4MStreamHeader(width: width, height: height, frameRate: VideoRatio(numerator: 25, denominator: 1)))
        try writer.write(image, parameters: "XFRAME=0")
        try writer.close()
        let frame = try XCTUnwrap(try Y4MReader(path: path).readFrame())
        XCTAssertEqual(frame.format, .i420)
        XCTAssertEqual(frame.parameters, "XFRAME=0")
        let back = frame.withPixelFrame { $0.rgbImage() }
        let worst = zip(back.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(worst, 8, "RGB → I420 → RGB on a smooth gradient")
    }

    func testAnExistingFileIsNeverReplacedWithoutOverwrite() throws {
        let path = try makeTemporaryDirectory(self) + "/keep.y4m"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        let header = Y4MStreamHeader(width: 2, height: 2)
        XCTAssertThrowsError(try Y4MWriter(path: path, header: header)) { error in
            XCTAssertEqual(error as? VideoError, .fileExists(path: path))
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "keep me")
        let writer = try Y4MWriter(path: path, header: header, overwrite: true)
        try writer.close()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "YUV4MPEG2 W2 H2 Ip A0:0 C420jpeg\n")
    }

    func testMismatchedFramesAreRefused() throws {
        let path = try makeTemporaryDirectory(self) + "/mismatch.y4m"
        let writer = try Y4MWriter(path: path, header: Y4MStreamHeader(width: 4, height: 4, colorSpace: .c444))
        XCTAssertThrowsError(try writer.write(RGBImage(width: 4, height: 4))) { error in
            XCTAssertTrue("\(error)".contains("written as 4:2:0"), "\(error)")
        }
        XCTAssertThrowsError(try writer.write(VideoFrame(format: .i444, width: 4, height: 2)))
        XCTAssertNoThrow(try writer.write(VideoFrame(format: .i444, width: 4, height: 4)))
        try writer.close()
        XCTAssertThrowsError(try writer.write(VideoFrame(format: .i444, width: 4, height: 4))) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }
}
