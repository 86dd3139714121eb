import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectVideo
import XCTest

/// `VideoFileWriter`: what it writes reads back (through FFmpeg's demuxers and decoders) with
/// the frames, size, timestamps and audio it was given.
final class VideoFileWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("VideoFileWriterTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Peak signal-to-noise ratio of `b` against `a` over their luma planes, in dB.
    private func lumaPSNR(_ a: VideoFrame, _ b: VideoFrame) -> Double {
        let count = a.width * a.height
        var squared = 0.0
        for i in 0..<count {
            let difference = Double(a.bytes[i]) - Double(b.bytes[i])
            squared += difference * difference
        }
        return squared == 0 ? .infinity : 10 * log10(255 * 255 / (squared / Double(count)))
    }

    private func readAll(_ path: String) throws -> (frames: [VideoFrame], stream: VideoStreamInfo) {
        let reader = try VideoFileReader(path: path)
        var frames: [VideoFrame] = []
        while let frame = try reader.readFrame() { frames.append(frame) }
        return (frames, reader.stream)
    }

    /// Every frame of the MP4 re-encoded into each container: same count, size and timestamps,
    /// pixels close to the input's, audio copied where the container takes AAC.
    func testReencodedClipsReadBackWithTheInputsFramesAndTimestamps() throws {
        let input = FrameHashFixture.path("vtest.mp4")
        let original = try readAll(input)
        for (name, codecs) in [("out.mp4", ["h264"]), ("out.mkv", ["h264"]), ("out.mov", ["h264"]), ("out.avi", ["h264", "mpeg4"])] {
            let reader = try VideoFileReader(path: input)
            let writer = try VideoFileWriter(path: path(name), matching: reader)
            XCTAssertTrue(codecs.contains(writer.codec), "\(name): \(writer.codec) (\(writer.encoder))")
            XCTAssertTrue(writer.copiesAudio, name)
            while try reader.withNextFrame({ frame, metadata in try writer.write(frame, at: metadata.timestamp!) }) {}
            try writer.finish()
            XCTAssertEqual(writer.framesWritten, 30)

            let copy = try readAll(path(name))
            XCTAssertEqual(copy.frames.count, original.frames.count, name)
            XCTAssertEqual(copy.frames.map(\.timestamp), original.frames.map(\.timestamp), name)
            XCTAssertEqual([copy.stream.width, copy.stream.height], [160, 120], name)
            XCTAssertEqual(copy.stream.codec, writer.codec, name)
            XCTAssertTrue(copy.stream.hasAudio, "\(name): the audio was copied")
            for (index, (a, b)) in zip(original.frames, copy.frames).enumerated() {
                XCTAssertGreaterThan(lumaPSNR(a, b), 30, "\(name) frame \(index)")
            }
        }
    }

    /// Keeping every 3rd frame (as `detect video --every 3`) keeps those frames' timestamps.
    func testSkippedFramesKeepTheirTimestamps() throws {
        let reader = try VideoFileReader(path: FrameHashFixture.path("vtest-vfr.mkv"))
        let writer = try VideoFileWriter(path: path("every3.mkv"), matching: reader, frameRateDivisor: 3)
        var kept: [Duration] = []
        while try reader.withNextFrame({ frame, metadata in
            guard metadata.index % 3 == 0 else { return }
            try writer.write(frame, at: metadata.timestamp!)
            kept.append(metadata.timestamp!)
        }) {}
        try writer.finish()
        XCTAssertEqual(writer.codec, "h264")
        XCTAssertFalse(writer.copiesAudio, "the MKV has no audio")
        let copy = try readAll(path("every3.mkv"))
        XCTAssertEqual(copy.frames.map(\.timestamp), kept)
        XCTAssertEqual(kept.map { $0 / .milliseconds(1) }, [0, 300, 949, 1250])
    }

    /// RGB images are written as BT.601 I420: a flat colour reads back as that colour.
    func testRGBImagesAreWrittenInTheirColours() throws {
        var image = RGBImage(width: 64, height: 48)
        for i in stride(from: 0, to: image.pixels.count, by: 3) { (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]) = (200, 40, 90) }
        let writer = try VideoFileWriter(path: path("flat.mp4"), width: 64, height: 48, frameRate: VideoRatio(numerator: 25, denominator: 1))
        for index in 0..<5 { try writer.write(image, at: .milliseconds(40 * index)) }
        try writer.finish()
        let copy = try readAll(path("flat.mp4"))
        XCTAssertEqual(copy.frames.map(\.timestamp), (0..<5).map { .milliseconds(40 * $0) })
        let rgb = try copy.frames[2].withPixelFrame { frame in
            var out = RGBImage(width: 64, height: 48)
            try frame.convert(into: &out)
            return out
        }
        let center = (24 * 64 + 32) * 3
        for (channel, expected) in [200, 40, 90].enumerated() {
            XCTAssertEqual(Double(rgb.pixels[center + channel]), Double(expected), accuracy: 4, "channel \(channel)")
        }
    }

    func testTimestampsMustIncrease() throws {
        let image = RGBImage(width: 32, height: 32)
        let writer = try VideoFileWriter(path: path("order.mkv"), width: 32, height: 32)
        try writer.write(image, at: .milliseconds(100))
        XCTAssertThrowsError(try writer.write(image, at: .milliseconds(100))) { error in
            XCTAssertTrue("\(error)".contains("timestamps must increase"), "\(error)")
        }
        try writer.finish()
    }

    func testExistingFilesAreNotReplacedUnlessAsked() throws {
        let existing = path("existing.mp4")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        XCTAssertThrowsError(try VideoFileWriter(path: existing, width: 32, height: 32)) { error in
            XCTAssertEqual(error as? VideoError, .fileExists(path: existing))
        }
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "keep me")
        let writer = try VideoFileWriter(path: existing, width: 32, height: 32, overwrite: true)
        try writer.write(RGBImage(width: 32, height: 32), at: .zero)
        try writer.finish()
        XCTAssertEqual(try readAll(existing).frames.count, 1)
    }

    /// An extension no container has, or one whose muxer writes other files, is refused, and the
    /// file the writer created is removed again.
    func testUnknownOrMultiFileContainersAreRefused() throws {
        for name in ["out.notavideo", "frame.png", "list.m3u8"] {
            XCTAssertThrowsError(try VideoFileWriter(path: path(name), width: 32, height: 32), name) { error in
                guard case .unsupportedVideo? = error as? VideoError else { return XCTFail("\(name): \(error)") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), "\(name) was left behind")
        }
    }

    func testWrongFramesAreRefused() throws {
        let writer = try VideoFileWriter(path: path("sizes.mp4"), width: 32, height: 32)
        XCTAssertThrowsError(try writer.write(RGBImage(width: 16, height: 32), at: .zero)) { error in
            guard case .frameSizeMismatch? = error as? VideoError else { return XCTFail("\(error)") }
        }
        let nv12 = VideoFrame(format: .rgb8, width: 32, height: 32)
        XCTAssertThrowsError(try nv12.withPixelFrame { try writer.write($0, at: .zero) }) { error in
            guard case .invalidFrame? = error as? VideoError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try VideoFileWriter(path: path("odd.mp4"), width: 0, height: 32))
    }
}

/// The README's video loop, as written there (paths aside): it runs and its output holds every frame.
final class ReadmeVideoLoopTests: XCTestCase {
    func testReadmeVideoLoopRuns() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).mp4").path
        defer { unlink(output) }
        let detector = try Detector(model: "ssdlite320-mobilenetv2-coco")
        let session = detector.makeSession()
        var result = DetectionResult()

        let reader = try VideoFileReader(path: FrameHashFixture.path("vtest.mp4"))
        let writer = try VideoFileWriter(path: output, matching: reader)
        var canvas = RGBImage(width: reader.stream.width, height: reader.stream.height)
        while try reader.withNextFrame({ frame, metadata in
            try frame.convert(into: &canvas)
            try session.detect(canvas, metadata: metadata, into: &result)
            canvas.drawDetections(result.detections)
            try writer.write(canvas, at: metadata.timestamp ?? .zero)
        }) {}
        try writer.finish()

        let copy = try VideoFileReader(path: output)
        var frames = 0
        while try copy.withNextFrame({ _, _ in }) { frames += 1 }
        XCTAssertEqual(frames, 30)
    }
}
