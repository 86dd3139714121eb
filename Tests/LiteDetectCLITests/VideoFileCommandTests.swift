import Foundation
import LiteDetect
import LiteDetectVideo
import XCTest

/// `detect video` on files FFmpeg's libraries decode and encode: detections per frame equal to
/// `detect images` on the same frames, annotated MP4 out with the input's timestamps and audio,
/// time ranges, and damaged inputs.
final class VideoFileCommandTests: XCTestCase {
    private var directory: URL!
    private let clip = repositoryRoot.appendingPathComponent("Tests/LiteDetectVideoTests/Fixtures/vtest.mp4").path

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
    }

    /// Detections as comparable strings: label, score and box to 4 decimals.
    private func detections(_ entry: [String: Any]) throws -> [String] {
        try XCTUnwrap(entry["detections"] as? [[String: Any]]).map { d in
            let box = d["box"] as? [String: Double] ?? [:]
            return String(
                format: "%@ %.4f %.3f %.3f %.3f %.3f", d["label"] as? String ?? "?", d["score"] as? Double ?? -1,
                box["x1"] ?? -1, box["y1"] ?? -1, box["x2"] ?? -1, box["y2"] ?? -1)
        }
    }

    /// Each frame of the MP4, decoded (as FFmpeg decodes it: see VideoFileReaderTests) and saved as a
    /// lossless PNG, gives `detect images` the detections `detect video` reports for that frame.
    func testDetectionsPerFrameEqualDetectOnTheSameFramesAsImages() throws {
        let reader = try VideoFileReader(path: clip)
        var images: [String] = []
        var canvas = RGBImage(width: 160, height: 120)
        while try reader.withNextFrame({ frame, metadata in
            try frame.convert(into: &canvas)
            let name = path(String(format: "frame%02d.png", metadata.index))
            try ImageFile.save(canvas, to: name, as: .png)
            images.append(name)
        }) {}
        XCTAssertEqual(images.count, 30)

        let video = try CommandRunner.run(["video", clip, "--format", "json"])
        XCTAssertEqual(video.status, 0, video.standardError)
        let frames = try jsonLines(video.standardOutput)
        XCTAssertEqual(frames.map { $0["frame"] as? Int }, Array(0..<30))
        XCTAssertEqual(frames.map { $0["timestamp"] as? Double }, (0..<30).map { Double($0) / 10 })

        // Run in the scratch folder: `detect images` writes its annotated copies into the working directory.
        let stills = try CommandRunner.run(["images"] + images + ["--format", "json"], in: directory)
        XCTAssertEqual(stills.status, 0, stills.standardError)
        let perImage = try jsonLines(stills.standardOutput)
        XCTAssertEqual(perImage.count, 30)
        var found = 0
        for (index, (frame, image)) in zip(frames, perImage).enumerated() {
            XCTAssertEqual(image["path"] as? String, images[index])
            XCTAssertEqual(try detections(frame), try detections(image), "frame \(index)")
            found += try detections(frame).count
        }
        XCTAssertGreaterThan(found, 30, "the default COCO model finds the people and cars in vtest")
    }

    /// `--output out.mp4`: H.264 (nothing said on standard error), every frame at the input's
    /// timestamps, the input's audio copied.
    func testAnnotatedMP4KeepsTimestampsAndAudio() throws {
        let output = path("out.mp4")
        let result = try CommandRunner.run(["video", clip, "--output", output, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.standardError, "")
        let reader = try VideoFileReader(path: output)
        XCTAssertEqual(reader.stream.codec, "h264")
        XCTAssertTrue(reader.stream.hasAudio)
        var timestamps: [Duration] = []
        while let frame = try reader.readFrame() { timestamps.append(frame.timestamp!) }
        XCTAssertEqual(timestamps, (0..<30).map { .milliseconds(100 * $0) })
    }

    /// --start/--duration select by time (JSON keeps the input's times, the video starts at 0),
    /// --every counts from the start.
    func testTimeRangeAndEvery() throws {
        let output = path("cut.mkv")
        let result = try CommandRunner.run([
            "video", clip, "--start", "1.25", "--duration", "0:00.8", "--every", "2", "--output", output, "--format", "json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(try jsonLines(result.standardOutput).map { $0["timestamp"] as? Double }, [1.3, 1.5, 1.7, 1.9])
        // The output starts at --start: the first frame 50 ms in, less the head start of the audio
        // packet that straddles --start (the reader counts from the file's first packet of any stream).
        let reader = try VideoFileReader(path: output)
        var timestamps: [Duration] = []
        while let frame = try reader.readFrame() { timestamps.append(frame.timestamp!) }
        XCTAssertEqual(timestamps.count, 4)
        XCTAssertEqual(zip(timestamps.dropFirst(), timestamps).map { $0 - $1 }, Array(repeating: .milliseconds(200), count: 3))
        XCTAssertTrue((Duration.milliseconds(3)...Duration.milliseconds(50)).contains(timestamps[0]), "\(timestamps)")
    }

    /// A Y4M stream can be written as MP4 too (timestamps from its frame rate).
    func testY4MInputToMP4() throws {
        let y4m = repositoryRoot.appendingPathComponent("Tests/LiteDetectImageTests/Fixtures/video/vtest_192x144.y4m").path
        let output = path("from-y4m.mp4")
        let result = try CommandRunner.run(["video", y4m, "--output", output, "--backbone", "mobilenetv3-small", "--random-weights"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let reader = try VideoFileReader(path: output)
        XCTAssertEqual([reader.stream.width, reader.stream.height], [192, 144])
        var timestamps: [Duration] = []
        while let frame = try reader.readFrame() { timestamps.append(frame.timestamp!) }
        XCTAssertEqual(timestamps, (0..<8).map { .milliseconds(100 * $0) })
    }

    /// A truncated MP4: the frames before the cut are detected and written (a playable file),
    /// then a clear error and exit status 1.
    func testTruncatedInputWritesTheFramesBeforeTheDamage() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        let damaged = path("half.mp4")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
        let output = path("partial.mp4")
        let result = try CommandRunner.run(["video", damaged, "--output", output, "--format", "json"])
        XCTAssertEqual(result.status, 1)
        let lines = try jsonLines(result.standardOutput)
        XCTAssertTrue(result.standardError.contains("half.mp4: damaged at frame \(lines.count)"), result.standardError)
        XCTAssertGreaterThan(lines.count, 0)
        let reader = try VideoFileReader(path: output)
        var written = 0
        while try reader.readFrame() != nil { written += 1 }
        XCTAssertEqual(written, lines.count)
    }

    /// `--threads 3` detects frames in parallel: the JSON lines (detections, tracks) and the
    /// annotated video are those of one thread, in the same order.
    func testParallelFramesKeepTheOutputAndItsOrder() throws {
        func run(_ threads: Int) throws -> (lines: [String], video: [String]) {
            let output = path("threads\(threads).mp4")
            let result = try CommandRunner.run(["video", clip, "--track", "--format", "json", "--output", output, "--threads", "\(threads)"])
            XCTAssertEqual(result.status, 0, result.standardError)
            // Timings differ from run to run; everything else must not.
            let lines = try jsonLines(result.standardOutput).map { line -> String in
                var line = line
                line["timing_ms"] = nil
                return String(decoding: try JSONSerialization.data(withJSONObject: line, options: .sortedKeys), as: UTF8.self)
            }
            let reader = try VideoFileReader(path: output)
            var frames: [String] = []
            while try reader.withNextFrame({ frame, metadata in
                frames.append("\(metadata.timestamp!) \(FrameSignature.luma(of: frame))")
            }) {}
            return (lines, frames)
        }
        let one = try run(1), three = try run(3)
        XCTAssertEqual(one.lines.count, 30)
        XCTAssertEqual(three.lines, one.lines)
        XCTAssertEqual(three.video, one.video)
    }

    /// A damaged input with frames in parallel: the same frames come out before the same error.
    func testParallelFramesStopAtTheDamageInOrder() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        let damaged = path("half.mp4")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
        let one = try CommandRunner.run(["video", damaged, "--format", "json"])
        let two = try CommandRunner.run(["video", damaged, "--format", "json", "--threads", "2"])
        XCTAssertEqual([one.status, two.status], [1, 1])
        XCTAssertEqual(try jsonLines(two.standardOutput).map { $0["frame"] as? Int }, try jsonLines(one.standardOutput).map { $0["frame"] as? Int })
        XCTAssertEqual(two.standardError, one.standardError)
    }

    func testUnwritableContainerLeavesNothingBehind() throws {
        let json = path("results.jsonl")
        let result = try CommandRunner.run(["video", clip, "--output", path("out.notavideo"), "--json-output", json])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.standardError.contains("no container"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.notavideo")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: json))
    }

    /// A FIFO given as the video is refused at once, never opened (opening one waits for a writer).
    func testAFIFOIsRefusedWithoutBlocking() throws {
        let fifo = path("camera.mp4")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let start = Date()
        let result = try CommandRunner.runProgram(try CommandRunner.executable, ["video", fifo], timeout: 30)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.standardError.contains("is a FIFO (named pipe), not a regular file"), result.standardError)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testBadTimesAreRefused() throws {
        for value in ["-1", "abc", "1:2:3:4", "1.1234567891", ""] {
            let result = try CommandRunner.run(["video", clip, "--start", value])
            XCTAssertNotEqual(result.status, 0, value)
            XCTAssertTrue(result.standardError.contains("--start"), "\(value): \(result.standardError)")
        }
        let zero = try CommandRunner.run(["video", clip, "--duration", "0"])
        XCTAssertTrue(zero.standardError.contains("--duration must be positive"), zero.standardError)
    }
}

/// A compact fingerprint of a frame's luma plane (sum and a position-weighted sum), to compare
/// two decodes of the same file without keeping the frames.
enum FrameSignature {
    static func luma(of frame: PixelFrame) -> String {
        let plane = frame.plane(0)
        var sum = 0, weighted = 0
        for row in 0..<frame.height {
            for column in 0..<frame.width {
                let value = Int(plane.bytes[row * plane.bytesPerRow + column])
                sum += value
                weighted &+= value &* (row &* frame.width &+ column &+ 1)
            }
        }
        return "\(sum)/\(weighted)"
    }
}
