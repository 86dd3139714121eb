import Foundation
import LiteDetectImage
import XCTest

/// Reading YUV4MPEG2: a clip muxed by FFmpeg (read back by FFmpeg for reference), pipes,
/// every header field and colour space, and damaged streams.
final class Y4MReaderTests: XCTestCase {
    struct ClipReference: Decodable {
        var file: String
        var ffmpeg_header: String
        var ffmpeg_width: Int
        var ffmpeg_height: Int
        var ffmpeg_fps: Double
        var frame_count: Int
        var block: Int
        var rgb_block_means: [[Double]]
    }

    private func clip() throws -> (path: String, reference: ClipReference) {
        let reference = try Fixtures.json("video/vtest_192x144.json", as: ClipReference.self)
        return (Fixtures.path("video/" + reference.file), reference)
    }

    /// Block means of the RGB conversion, in the reference's layout (row-major blocks, RGB).
    private func blockMeans(_ image: RGBImage, block: Int) -> [Double] {
        var means: [Double] = []
        for by in 0..<(image.height / block) {
            for bx in 0..<(image.width / block) {
                var sums = [0.0, 0.0, 0.0]
                for y in (by * block)..<((by + 1) * block) {
                    for x in (bx * block)..<((bx + 1) * block) {
                        let c = image[x, y]
                        sums[0] += Double(c.red)
                        sums[1] += Double(c.green)
                        sums[2] += Double(c.blue)
                    }
                }
                means += sums.map { $0 / Double(block * block) }
            }
        }
        return means
    }

    func testFFmpegClipReadsAsFFmpegDecodesIt() throws {
        let (path, reference) = try clip()
        let reader = try Y4MReader(path: path)
        let header = reader.header
        XCTAssertEqual(header.width, reference.ffmpeg_width)
        XCTAssertEqual(header.height, reference.ffmpeg_height)
        XCTAssertEqual(try XCTUnwrap(header.frameRate).value, reference.ffmpeg_fps)
        XCTAssertEqual(header.interlacing, .progressive)
        XCTAssertNil(header.pixelAspectRatio, "A0:0 is 'unknown'")
        XCTAssertEqual(header.colorSpace, .c420jpeg)
        XCTAssertEqual(header.extensions, ["XYSCSS=420JPEG"])
        XCTAssertEqual(header.line, reference.ffmpeg_header, "fields are written back in FFmpeg's order")

        var frame = reader.makeFrame()
        var worst = 0.0, total = 0.0, count = 0
        for expected in reference.rgb_block_means {
            XCTAssertTrue(try reader.readFrame(into: &frame))
            XCTAssertEqual(frame.timestamp, .milliseconds(100 * frame.index))
            let means = blockMeans(frame.withPixelFrame { $0.rgbImage() }, block: reference.block)
            XCTAssertEqual(means.count, expected.count)
            for (a, b) in zip(means, expected) {
                worst = max(worst, abs(a - b))
                total += abs(a - b)
                count += 1
            }
        }
        XCTAssertFalse(try reader.readFrame(into: &frame), "exactly \(reference.frame_count) frames")
        XCTAssertEqual(reader.framesRead, reference.frame_count)
        // FFmpeg's swscale rounds its own way: OpenCV's cvtColor on the same planes (whose
        // conversion LiteDetect equals bit for bit) sits 0.8–1.4 levels from it per channel on
        // average, 1.73 at worst. A misread plane, stride or frame boundary moves these by tens.
        XCTAssertLessThan(worst, 2.5, "largest block-mean difference from FFmpeg's decoding")
        XCTAssertLessThan(total / Double(count), 1.5, "mean block-mean difference from FFmpeg's decoding")
    }

    func testAPipeReadsLikeTheFile() throws {
        let (path, _) = try clip()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var fromFile: [VideoFrame] = []
        let fileReader = try Y4MReader(path: path)
        while let frame = try fileReader.readFrame() { fromFile.append(frame) }

        var descriptors: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&descriptors), 0)
        let writeEnd = descriptors[1]
        // Written in odd-sized pieces from another thread, so reads see partial lines and frames.
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let piece = min(1009, raw.count - offset)
                    offset += write(writeEnd, raw.baseAddress! + offset, piece)
                }
            }
            close(writeEnd)
        }
        writer.start()
        let reader = try Y4MReader(fileDescriptor: descriptors[0], name: "pipe", closesDescriptor: true)
        var fromPipe: [VideoFrame] = []
        while let frame = try reader.readFrame() { fromPipe.append(frame) }
        XCTAssertEqual(fromPipe, fromFile)
        XCTAssertEqual(fromPipe.count, 8)
    }

    /// A stream built here byte by byte: `header`, then frames whose planes count up from `seed`.
    private func stream(_ header: String, frames: [(parameters: String, bytes: Int)]) -> (data: [UInt8], planes: [[UInt8]]) {
        var data = Array((header + "\n").utf8)
        var planes: [[UInt8]] = []
        for (index, frame) in frames.enumerated() {
            data += Array(("FRAME" + (frame.parameters.isEmpty ? "" : " " + frame.parameters) + "\n").utf8)
            let pixels = (0..<frame.bytes).map { UInt8(truncatingIfNeeded: $0 * 7 + index * 13) }
            data += pixels
            planes.append(pixels)
        }
        return (data, planes)
    }

    private func reader(for data: [UInt8], maxPixels: Int = Y4MReader.defaultMaxPixels) throws -> Y4MReader {
        let path = try makeTemporaryDirectory(self) + "/stream.y4m"
        try Data(data).write(to: URL(fileURLWithPath: path))
        return try Y4MReader(path: path, maxPixels: maxPixels)
    }

    func testEveryHeaderFieldAndFrameParameters() throws {
        // 5×3 4:2:0: chroma planes are 3×2 (sizes round up).
        let (data, planes) = stream(
            "YUV4MPEG2 W5 H3 F30000:1001 It A128:117 C420mpeg2 XCOLORRANGE=LIMITED Zfuture",
            frames: [("", 15 + 6 + 6), ("Ib XKEY=1", 27)])
        let reader = try reader(for: data)
        let header = reader.header
        XCTAssertEqual(header.width, 5)
        XCTAssertEqual(header.height, 3)
        XCTAssertEqual(header.frameRate, VideoRatio(numerator: 30000, denominator: 1001))
        XCTAssertEqual(header.interlacing, .topFieldFirst)
        XCTAssertEqual(header.pixelAspectRatio, VideoRatio(numerator: 128, denominator: 117))
        XCTAssertEqual(header.colorSpace, .c420mpeg2)
        XCTAssertEqual(header.pixelFormat, .i420)
        XCTAssertEqual(header.extensions, ["XCOLORRANGE=LIMITED", "Zfuture"], "unknown fields are kept, not refused")
        let first = try XCTUnwrap(try reader.readFrame())
        XCTAssertEqual(first.bytes, planes[0])
        XCTAssertEqual(first.parameters, "")
        let second = try XCTUnwrap(try reader.readFrame())
        XCTAssertEqual(second.bytes, planes[1])
        XCTAssertEqual(second.parameters, "Ib XKEY=1")
        XCTAssertEqual(second.index, 1)
        // 1001/30000 s, exact to the attosecond (truncated), not rounded through a Double.
        XCTAssertEqual(second.timestamp, Duration(attoseconds: 33_366_666_666_666_666))
        XCTAssertNil(try reader.readFrame())
    }

    func testColourSpacesSetThePlaneSizes() throws {
        let cases: [(String, PixelFormat, Int)] = [
            ("C420jpeg", .i420, 7 * 5 + 2 * 4 * 3), ("C420paldv", .i420, 59), ("C420", .i420, 59), ("", .i420, 59),
            ("C422", .i422, 35 + 2 * 4 * 5), ("C444", .i444, 3 * 35), ("Cmono", .gray8, 35),
        ]
        for (field, format, bytes) in cases {
            let (data, planes) = stream("YUV4MPEG2 W7 H5 F25:1 \(field)", frames: [("", bytes), ("", bytes)])
            let reader = try reader(for: data)
            XCTAssertEqual(reader.header.pixelFormat, format, field)
            XCTAssertEqual(reader.header.frameByteCount, bytes, field)
            XCTAssertEqual(try reader.readFrame()?.bytes, planes[0], field)
            XCTAssertEqual(try reader.readFrame()?.bytes, planes[1], field)
            XCTAssertNil(try reader.readFrame(), field)
        }
    }

    private func assertFails(
        _ data: [UInt8], maxPixels: Int = Y4MReader.defaultMaxPixels, framesBefore: Int = 0, _ check: (VideoError) -> Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let reader = try reader(for: data, maxPixels: maxPixels)
            for index in 0..<framesBefore { XCTAssertNotNil(try reader.readFrame(), "frame \(index) must still be read", file: file, line: line) }
            _ = try reader.readFrame()
            XCTFail("no error", file: file, line: line)
        } catch let error as VideoError {
            XCTAssertTrue(check(error), "unexpected: \(error)", file: file, line: line)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
        }
    }

    func testDamagedStreamsFailAtTheFrameWhereTheyBreak() throws {
        let good = stream("YUV4MPEG2 W4 H2 C420jpeg", frames: [("", 12), ("", 12), ("", 12)]).data
        // Cut inside frame 2's planes: frames 0 and 1 are read, then the error names frame 2.
        assertFails(Array(good.dropLast(5)), framesBefore: 2) { error in
            error == .truncatedFrame(source: error.sourceName, frame: 2, expectedBytes: 12, actualBytes: 7)
        }
        // Frame 1's header is damaged.
        var damaged = good
        let second = 25 + 6 + 12
        damaged[second + 4] = UInt8(ascii: "X")
        assertFails(damaged, framesBefore: 1) { error in
            guard case let .malformedFrameHeader(_, frame, detail) = error else { return false }
            return frame == 1 && detail.contains("FRAMX")
        }
        // The stream ends inside a FRAME line.
        assertFails(Array(good.prefix(second + 3)), framesBefore: 1) { error in
            if case .truncatedFrame(_, 1, _, _) = error { return true }
            return false
        }
    }

    func testBadHeadersAreRefusedBeforeAnyFrame() throws {
        assertFails(Array("\u{FF}\u{D8}\u{FF}\u{E0} JFIF\n".utf8)) { if case .notY4M = $0 { return true } else { return false } }
        assertFails([]) { if case .notY4M = $0 { return true } else { return false } }
        assertFails(Array("YUV4MPEG2 H2\n".utf8)) { "\($0)".contains("no W (width) field") }
        assertFails(Array("YUV4MPEG2 W-4 H2\n".utf8)) { "\($0)".contains("W (width) is '-4'") }
        assertFails(Array("YUV4MPEG2 W4 H2 F25\n".utf8)) { "\($0)".contains("F (frame rate) is '25'") }
        assertFails(Array("YUV4MPEG2 W4 H2 Ix\n".utf8)) { "\($0)".contains("interlacing") }
        assertFails(Array("YUV4MPEG2 W4 H2 C420p10\n".utf8)) { error in
            guard case let .unsupportedColorSpace(_, name, supported) = error else { return false }
            return name == "420p10" && supported.contains("420jpeg") && supported.contains("mono")
        }
        assertFails(Array("YUV4MPEG2 W4 H2".utf8)) { "\($0)".contains("ends inside its header line") }
        // 20000×20000 is refused from the header alone (nothing of that size is ever allocated).
        assertFails(Array("YUV4MPEG2 W20000 H20000\nFRAME\n".utf8), maxPixels: 100_000_000) {
            $0 == .tooLarge(source: $0.sourceName, width: 20000, height: 20000, maxPixels: 100_000_000)
        }
        XCTAssertThrowsError(try Y4MReader(path: "/nonexistent/clip.y4m")) {
            XCTAssertEqual($0 as? VideoError, .fileNotFound(path: "/nonexistent/clip.y4m"))
        }
    }
}

extension VideoError {
    /// The stream name an error carries (for comparing whole errors).
    var sourceName: String {
        switch self {
        case let .readFailed(source, _), let .notY4M(source, _), let .malformedHeader(source, _), let .unsupportedColorSpace(source, _, _),
            let .tooLarge(source, _, _, _), let .malformedFrameHeader(source, _, _), let .truncatedFrame(source, _, _, _),
            let .notVideo(source, _), let .unsupportedVideo(source, _), let .damagedVideo(source, _, _):
            return source
        case let .fileNotFound(path), let .fileExists(path): return path
        case let .writeFailed(destination, _), let .encodingFailed(destination, _): return destination
        case .invalidFrame, .frameSizeMismatch: return ""
        }
    }
}
