import Foundation
import XCTest

/// End-to-end tests of `detect video` and of the `FrameLoop` example, on the FFmpeg-muxed clip
/// (8 frames of OpenCV's vtest.avi at 192×144, 10 fps) and damaged copies of it.
final class VideoCommandTests: XCTestCase {
    private var workDirectory: URL!
    private let clip = repositoryRoot.appendingPathComponent("Tests/LiteDetectImageTests/Fixtures/video/vtest_192x144.y4m").path
    /// Bytes of one 192×144 4:2:0 frame, and of the clip's header line.
    private let frameBytes = 192 * 144 * 3 / 2
    private let randomModel = ["--backbone", "mobilenetv3-small", "--random-weights"]

    override func setUpWithError() throws { workDirectory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: workDirectory) }

    /// Runs an executable built next to the tests with `input` on its standard input. The three
    /// streams go through files, so no pipe can fill up and block either side.
    private func run(
        _ arguments: [String], input: Data? = nil, executable name: String = "detect"
    ) throws -> (status: Int32, output: Data, error: String) {
        let process = Process()
        process.executableURL = try CommandRunner.executable.deletingLastPathComponent().appendingPathComponent(name)
        process.arguments = arguments
        let streams = ["stdin", "stdout", "stderr"].map { workDirectory.appendingPathComponent("\(name).\($0)") }
        try (input ?? Data()).write(to: streams[0])
        for url in streams.dropFirst() { try Data().write(to: url) }
        process.standardInput = try FileHandle(forReadingFrom: streams[0])
        process.standardOutput = try FileHandle(forWritingTo: streams[1])
        process.standardError = try FileHandle(forWritingTo: streams[2])
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: streams[1]), try String(contentsOf: streams[2], encoding: .utf8))
    }

    private func jsonLines(_ data: Data) throws -> [[String: Any]] {
        try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
    }

    /// The header line and the number of whole frames of a 192×144 4:2:0 stream, checking every `FRAME` line.
    private func y4mFrames(_ data: Data, file: StaticString = #filePath, line: UInt = #line) throws -> (header: String, frames: Int) {
        let bytes = [UInt8](data)
        let newline = try XCTUnwrap(bytes.firstIndex(of: UInt8(ascii: "\n")), "no header line", file: file, line: line)
        var offset = newline + 1, frames = 0
        while offset < bytes.count {
            XCTAssertEqual(Array(bytes[offset..<min(offset + 6, bytes.count)]), Array("FRAME\n".utf8), "frame \(frames)", file: file, line: line)
            offset += 6 + frameBytes
            frames += 1
        }
        XCTAssertEqual(offset, bytes.count, "the stream ends inside a frame", file: file, line: line)
        return (String(decoding: bytes[..<newline], as: UTF8.self), frames)
    }

    func testJSONLinesFollowTheDocumentedSchema() throws {
        let result = try run(["video", clip, "--format", "json", "--track", "--score-threshold", "0.05", "--max-detections", "5"] + randomModel)
        XCTAssertEqual(result.status, 0, result.error)
        let lines = try jsonLines(result.output)
        XCTAssertEqual(lines.map { $0["frame"] as? Int }, Array(0..<8))
        for (index, line) in lines.enumerated() {
            XCTAssertEqual(try XCTUnwrap(line["timestamp"] as? Double), Double(index) / 10, accuracy: 1e-9)
            XCTAssertEqual(line["random_weights"] as? Bool, true, "random weights must be labelled in every output")
            XCTAssertEqual(Set(try XCTUnwrap(line["timing_ms"] as? [String: Double]).keys), ["preprocess", "inference", "postprocess"])
            let detections = try XCTUnwrap(line["detections"] as? [[String: Any]])
            XCTAssertLessThanOrEqual(detections.count, 5)
            for detection in detections {
                XCTAssertEqual(Set(detection.keys), ["class_id", "label", "score", "box"], "as in the images JSON")
                XCTAssertGreaterThan(try XCTUnwrap(detection["score"] as? Double), 0.05)
                XCTAssertEqual(Set(try XCTUnwrap(detection["box"] as? [String: Double]).keys), ["x1", "y1", "x2", "y2"])
            }
            for track in try XCTUnwrap(line["tracks"] as? [[String: Any]]) {
                XCTAssertEqual(Set(track.keys), ["id", "class_id", "label", "score", "box"])
            }
        }
        XCTAssertTrue(result.error.contains("RANDOM weights"))
    }

    func testEveryNthFrameWithAnnotatedOutput() throws {
        let output = workDirectory.appendingPathComponent("out.y4m").path
        let result = try run(["video", clip, "--every", "3", "--output", output, "--format", "json"] + randomModel)
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertEqual(try jsonLines(result.output).map { $0["frame"] as? Int }, [0, 3, 6])
        let written = try y4mFrames(try Data(contentsOf: URL(fileURLWithPath: output)))
        XCTAssertEqual(written.header, "YUV4MPEG2 W192 H144 F10:3 Ip A0:0 C420jpeg", "the kept frames at a third of the rate")
        XCTAssertEqual(written.frames, 3)
    }

    func testPipeInVideoOutJSONToAFile() throws {
        let json = workDirectory.appendingPathComponent("results.jsonl").path
        let result = try run(
            ["video", "-", "--output", "-", "--json-output", json] + randomModel, input: try Data(contentsOf: URL(fileURLWithPath: clip)))
        XCTAssertEqual(result.status, 0, result.error)
        let video = try y4mFrames(result.output)
        XCTAssertEqual(video.frames, 8, "standard output carries only the video")
        XCTAssertEqual(try jsonLines(try Data(contentsOf: URL(fileURLWithPath: json))).count, 8)
    }

    func testADamagedStreamFailsAtItsFrameAfterWritingTheFramesBefore() throws {
        let header = "YUV4MPEG2 W192 H144 F10:1 Ip A0:0 C420jpeg XYSCSS=420JPEG\n".utf8.count
        let cut = header + 5 * (6 + frameBytes) + 6 + 1000  // inside frame 5's planes
        let damaged = try Data(contentsOf: URL(fileURLWithPath: clip)).prefix(cut)
        let output = workDirectory.appendingPathComponent("partial.y4m").path
        let result = try run(["video", "-", "--format", "json", "--output", output] + randomModel, input: damaged)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("standard input: frame 5: stream ends after 1000 of its \(frameBytes) bytes"), result.error)
        XCTAssertEqual(try jsonLines(result.output).map { $0["frame"] as? Int }, Array(0..<5), "frames before the damage are reported")
        XCTAssertEqual(try y4mFrames(try Data(contentsOf: URL(fileURLWithPath: output))).frames, 5, "and written")
    }

    func testExistingOutputsAreNeverReplacedWithoutOverwrite() throws {
        let output = workDirectory.appendingPathComponent("keep.y4m")
        let json = workDirectory.appendingPathComponent("new.jsonl")
        try Data("keep me".utf8).write(to: output)
        let refused = try run(["video", clip, "--output", output.path, "--json-output", json.path] + randomModel)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.error.contains("already exists (use --overwrite"), refused.error)
        XCTAssertEqual(try Data(contentsOf: output), Data("keep me".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: json.path), "nothing is created when one output is refused")

        let replaced = try run(["video", clip, "--output", output.path, "--overwrite"] + randomModel)
        XCTAssertEqual(replaced.status, 0, replaced.error)
        XCTAssertEqual(try y4mFrames(try Data(contentsOf: output)).frames, 8)
    }

    func testTheInputIsNeverAnOutputEvenWithOverwrite() throws {
        let input = workDirectory.appendingPathComponent("clip.y4m")
        try FileManager.default.copyItem(atPath: clip, toPath: input.path)
        for flag in ["--json-output", "--output"] {
            let result = try run(["video", input.path, flag, input.path, "--overwrite"] + randomModel)
            XCTAssertEqual(result.status, 1, "\(flag): \(result.error)")
            XCTAssertTrue(result.error.contains("is the input file"), result.error)
            XCTAssertEqual(try Data(contentsOf: input), try Data(contentsOf: URL(fileURLWithPath: clip)), "\(flag) must leave the input untouched")
        }
    }

    func testStandardOutputCannotCarryVideoAndText() throws {
        let result = try run(["video", clip, "--output", "-", "--format", "json"] + randomModel)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.error.contains("--json-output"), result.error)
        XCTAssertTrue(result.output.isEmpty)
    }

    /// A photo is not taken for a one-frame video (as FFmpeg would read it): the error says to use `detect images`.
    func testAStillImageIsAClearError() throws {
        let result = try run(["video", streetJPEG] + randomModel)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("not a video file (a still image"), result.error)
        XCTAssertTrue(result.error.contains("detect images"), result.error)
    }

    /// A stream on standard input must be YUV4MPEG2 (FFmpeg's libraries read files, not pipes).
    func testStandardInputMustBeY4M() throws {
        let result = try run(["video", "-"] + randomModel, input: try Data(contentsOf: URL(fileURLWithPath: streetJPEG)))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains("not a YUV4MPEG2 stream"), result.error)
    }

    /// The trained person model (when the repository has it) on the real clip: people found, and
    /// at least one of them followed under one id for most of the 8 frames.
    func testPersonModelTracksPeopleInTheClip() throws {
        try assertTracksPeople(precision: "f32")
    }

    /// `detect video --precision bf16`, where the CPU has AVX512_BF16 (bench JSON says whether).
    func testPersonModelTracksPeopleInBFloat16() throws {
        let bench = try CommandRunner.run([
            "bench", "--backbone", "mobilenetv3-small", "--input-size", "96", "--runs", "1", "--warmup", "0", "--format", "json",
        ])
        let cpu = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.standardOutput.utf8)) as? [String: Any])["cpu"] as? [String: Any]
        guard cpu?["bf16"] as? Bool == true else { throw XCTSkip("AVX512_BF16 kernels not run: this CPU lacks AVX512_BF16") }
        try assertTracksPeople(precision: "bf16")
    }

    private func assertTracksPeople(precision: String) throws {
        let config = repositoryRoot.appendingPathComponent("Configs/models/ssdlite300-mobilenetv2-person.json").path
        guard FileManager.default.fileExists(atPath: config) else { throw XCTSkip("no trained person model in Configs/models") }
        let result = try run([
            "video", clip, "--model", "ssdlite300-mobilenetv2-person", "--track", "--format", "json", "--score-threshold", "0.4",
            "--precision", precision,
        ])
        XCTAssertEqual(result.status, 0, result.error)
        let lines = try jsonLines(result.output)
        let labels = lines.flatMap { ($0["detections"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String } }
        XCTAssertGreaterThan(labels.count, 4)
        XCTAssertEqual(Set(labels), ["person"])
        var framesPerID: [Int: Int] = [:]
        for line in lines {
            for track in line["tracks"] as? [[String: Any]] ?? [] {
                XCTAssertEqual(Set(track.keys), ["id", "class_id", "label", "score", "box"])
                framesPerID[try XCTUnwrap(track["id"] as? Int), default: 0] += 1
            }
        }
        XCTAssertGreaterThanOrEqual(framesPerID.values.max() ?? 0, 5, "tracks: \(framesPerID)")
    }

    /// The example reads a Y4M file through FFmpeg, an MP4, and a Y4M stream on standard input.
    func testFrameLoopExampleRuns() throws {
        let mp4 = repositoryRoot.appendingPathComponent("Tests/LiteDetectVideoTests/Fixtures/vtest.mp4").path
        let model = ["--model", "ssdlite320-mobilenetv3-small", "--random-weights"]
        for (arguments, input, frames) in [([clip], nil, 8), ([mp4], nil, 30), (["-"], try Data(contentsOf: URL(fileURLWithPath: clip)), 8)] {
            let result = try run(arguments + model, input: input, executable: "FrameLoop")
            XCTAssertEqual(result.status, 0, result.error)
            let lines = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(
                lines.map { $0.split(separator: " ").prefix(3).joined(separator: " ") },
                (0..<frames).map { String(format: "frame %d %.2fs:", $0, Double($0) / 10) })
        }
    }
}
