import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectVideo
import XCTest

/// `VideoFileReader` against the `ffmpeg` program's own decode of the same files: frame count,
/// presentation timestamps and every decoded pixel (SHA-256 of the planes).
final class VideoFileReaderTests: XCTestCase {
    /// Reads every frame of `fixture.clip` and compares it with the fixture, frame by frame.
    private func assertDecodesAsFFmpeg(
        _ fixture: FrameHashFixture, format: PixelFormat, options: VideoFileReader.Options = .init(), file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let reader = try VideoFileReader(path: fixture.clip, options: options)
        var decoded: [FrameHashFixture.Frame] = []
        var indices: [Int] = []
        while try reader.withNextFrame({ frame, metadata in
            XCTAssertEqual(frame.format, format, file: file, line: line)
            XCTAssertEqual([frame.width, frame.height], [160, 120], file: file, line: line)
            indices.append(metadata.index)
            let hash = FrameHashFixture.sha256(of: frame)
            decoded.append(FrameHashFixture.Frame(timestamp: try XCTUnwrap(metadata.timestamp), size: hash.size, sha256: hash.hex))
        }) {}
        XCTAssertEqual(decoded.count, fixture.frames.count, "frame count", file: file, line: line)
        for (index, (ours, theirs)) in zip(decoded, fixture.frames).enumerated() {
            XCTAssertEqual(ours, theirs, "frame \(index)", file: file, line: line)
        }
        XCTAssertEqual(indices, Array(0..<decoded.count), file: file, line: line)
        XCTAssertEqual(reader.framesRead, decoded.count, file: file, line: line)
        XCTAssertFalse(
            try reader.withNextFrame { _, _ in XCTFail("no frame after the last") }, "reading past the end keeps returning false", file: file,
            line: line)
    }

    func testH264InMP4DecodesAsFFmpegDoes() throws {
        let fixture = try FrameHashFixture(clip: "vtest.mp4")
        XCTAssertEqual(fixture.frames.count, 30)
        try assertDecodesAsFFmpeg(fixture, format: .i420)
        let reader = try VideoFileReader(path: fixture.clip)
        XCTAssertEqual(reader.stream.codec, "h264")
        XCTAssertEqual(reader.stream.frameRate, VideoRatio(numerator: 10, denominator: 1))
        XCTAssertEqual(reader.stream.frameCount, 30)
        XCTAssertTrue(reader.stream.hasAudio)
        XCTAssertTrue(reader.stream.container.contains("mp4"), reader.stream.container)
    }

    /// Full-range MJPEG frames come out as limited-range I420, as `ffmpeg -pix_fmt yuv420p` converts them.
    func testFullRangeMJPEGIsConvertedAsFFmpegConvertsIt() throws {
        try assertDecodesAsFFmpeg(try FrameHashFixture(clip: "vtest-mjpeg.avi", variant: "yuv420p"), format: .i420)
        let native = try FrameHashFixture(clip: "vtest-mjpeg.avi")
        let converted = try FrameHashFixture(clip: "vtest-mjpeg.avi", variant: "yuv420p")
        XCTAssertNotEqual(native.frames.map(\.sha256), converted.frames.map(\.sha256), "the conversion must change the pixels")
    }

    /// VP9 4:4:4 with irregular timestamps: the frames keep the stream's times, not index / rate.
    func testVariableFrameRateKeepsTheStreamsTimestamps() throws {
        let fixture = try FrameHashFixture(clip: "vtest-vfr.mkv")
        XCTAssertEqual(fixture.frames.map { $0.timestamp / .milliseconds(1) }, [0, 100, 200, 300, 400, 850, 949, 1050, 1190, 1250, 1350, 1450])
        try assertDecodesAsFFmpeg(fixture, format: .i444)
    }

    func testStartAndDurationSelectFramesByTime() throws {
        let fixture = try FrameHashFixture(clip: "vtest.mp4")
        // [1.25 s, 2.05 s): frames at 1.3 … 2.0 s. Frame 13 is not a key frame: decoding starts before it.
        let reader = try VideoFileReader(path: fixture.clip, options: .init(start: .milliseconds(1250), duration: .milliseconds(800)))
        var frames: [FrameHashFixture.Frame] = []
        while try reader.withNextFrame({ frame, metadata in
            let hash = FrameHashFixture.sha256(of: frame)
            frames.append(FrameHashFixture.Frame(timestamp: metadata.timestamp!, size: hash.size, sha256: hash.hex))
        }) {}
        XCTAssertEqual(frames, Array(fixture.frames[13...20]))
    }

    func testOwnedFramesCopyTheDecodedPlanes() throws {
        let fixture = try FrameHashFixture(clip: "vtest-vfr.mkv")
        let reader = try VideoFileReader(path: fixture.clip)
        var frame = VideoFrame(format: .i420, width: 1, height: 1)
        var count = 0
        while try reader.readFrame(into: &frame) {
            XCTAssertEqual(frame.format, .i444)
            let hash = frame.withPixelFrame { FrameHashFixture.sha256(of: $0) }
            XCTAssertEqual(FrameHashFixture.Frame(timestamp: frame.timestamp!, size: hash.size, sha256: hash.hex), fixture.frames[count])
            XCTAssertEqual(frame.index, count)
            count += 1
        }
        XCTAssertEqual(count, fixture.frames.count)
    }

    func testAsyncSequenceYieldsEveryFrame() async throws {
        let fixture = try FrameHashFixture(clip: "vtest.mp4")
        var timestamps: [Duration] = []
        for try await frame in VideoFileFrames(path: fixture.clip) {
            timestamps.append(frame.timestamp!)
        }
        XCTAssertEqual(timestamps, fixture.frames.map(\.timestamp))
    }

    /// Detections on the MP4's frames through the asynchronous pipeline equal detections on the
    /// same frames decoded by the blocking reader and run one by one.
    func testDetectionsOverTheAsyncSequenceMatchTheFrameLoop() async throws {
        let detector = try Detector(model: "ssdlite320-mobilenetv2-coco")
        let path = FrameHashFixture.path("vtest.mp4")
        let session = detector.makeSession()
        let reader = try VideoFileReader(path: path)
        var expected: [[LabeledDetection]] = []
        var result = DetectionResult()
        while try reader.withNextFrame({ frame, metadata in try session.detect(frame, metadata: metadata, into: &result) }) {
            expected.append(result.detections)
        }
        var actual: [[LabeledDetection]] = []
        for try await result in detector.detections(in: VideoFileFrames(path: path)) {
            actual.append(result.detections)
        }
        XCTAssertEqual(actual, expected)
        XCTAssertEqual(expected.count, 30)
        XCTAssertTrue(expected.contains { $0.contains { $0.label == "person" } }, "vtest shows people walking")
    }
}
