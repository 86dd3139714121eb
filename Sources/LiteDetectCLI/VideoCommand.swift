import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectImage
import LiteDetectModels

/// `detect video INPUT`: detection, and optionally tracking, on a YUV4MPEG2 stream frame by frame.
struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Detect (and track) objects in a YUV4MPEG2 video stream, frame by frame.",
        discussion: """
            INPUT is a .y4m file, or - for standard input, so that FFmpeg can decode any video for it:
              ffmpeg -i clip.mp4 -f yuv4mpegpipe - | detect video - --output - | ffmpeg -f yuv4mpegpipe -i - out.mp4
              detect video clip.y4m --track --format json > tracks.jsonl
              detect video clip.y4m --every 5 --output boxes.y4m --json-output results.jsonl

            Reads the 8-bit colour spaces C420jpeg, C420mpeg2, C420paldv, C420, C422, C444 and Cmono (YUV as BT.601 limited range); annotated output is C420jpeg. With --every N the output holds the detected frames only, at 1/N of the frame rate. A damaged stream stops at the frame where it breaks, after everything before it was written, with exit status 1.
            """
    )

    @Argument(help: ArgumentHelp("A YUV4MPEG2 (.y4m) file, or - for standard input.", valueName: "input"))
    var input: String

    @OptionGroup var model: ModelOptions

    @OptionGroup var thresholds: ThresholdOptions

    @Option(help: ArgumentHelp("Write annotated frames as YUV4MPEG2 to this file, or - for standard output.", valueName: "path|-"))
    var output: String?

    @Option(help: ArgumentHelp(
        "What goes to standard output, one entry per detected frame (default: text; nothing when --output - takes standard output).",
        valueName: "text|json"))
    var format: VideoOutputFormat?

    @Option(help: ArgumentHelp("Also write the JSON lines to this file (how to get them with --output -).", valueName: "path"))
    var jsonOutput: String?

    @Option(help: ArgumentHelp("Detect in every Nth frame only (frames 0, N, 2N, …).", valueName: "n"))
    var every: Int = 1

    @Flag(help: ArgumentHelp(
        "Track objects across frames (ByteTrack-style): stable ids in the output and on the boxes.",
        discussion: "Detections down to 0.1 feed the tracker (they keep partly hidden objects tracked); tracks start from those above --score-threshold + 0.1; only detections above --score-threshold are reported."))
    var track = false

    @Flag(help: "Replace existing output files (without it, an existing file is an error).")
    var overwrite = false

    @Option(help: ArgumentHelp("Refuse frames with more pixels than this (checked from the stream header, before allocating).", valueName: "pixels"))
    var maxPixels: Int = Y4MReader.defaultMaxPixels

    @Option(help: ArgumentHelp("Threads each frame's forward pass is split across (helps only with idle cores).", valueName: "n"))
    var threads: Int = 1

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be positive") }
        if output == "-" && format != nil {
            throw ValidationError("--output - takes standard output for the video; use --json-output FILE for the JSON lines")
        }
        if jsonOutput == "-" { throw ValidationError("--json-output needs a file; for standard output use --format json") }
        if let output, output != "-", output == jsonOutput { throw ValidationError("--output and --json-output name the same file") }
    }

    func run() throws {
        do {
            try process()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Terminal.standardError("detect: \(error)")
            throw ExitCode(1)
        }
    }

    private func process() throws {
        // A reader that goes away (`| head`) turns into a write error reported below, not a silent kill.
        signal(SIGPIPE, SIG_IGN)
        let detector = try model.loadDetector()
        var options = try thresholds.detectionOptions(for: detector)
        let reportedScore = thresholds.reportedScoreThreshold(for: detector)
        var tracker: MultiObjectTracker?
        if track {
            // ByteTrack's split: --score-threshold is the "high" score; lower ones only keep tracks alive.
            let configuration = TrackerConfiguration(
                highScoreThreshold: reportedScore, lowScoreThreshold: min(0.1, reportedScore), newTrackThreshold: min(1, reportedScore + 0.1))
            tracker = try MultiObjectTracker(configuration: configuration)
            options.scoreThreshold = configuration.lowScoreThreshold
        }
        let reader = try input == "-" ? Y4MReader.standardInput(maxPixels: maxPixels) : Y4MReader(path: input, maxPixels: maxPixels)
        if detector.isRandomlyInitialised {
            Terminal.standardError("detect: model \(detector.config.name) runs with RANDOM weights: its detections are noise (plumbing/speed check)")
        }
        // Refuse before creating anything, so that one refused file leaves no other one behind.
        // The input is never an output, not even with --overwrite.
        for path in [output, jsonOutput].compactMap({ $0 }) where path != "-" && input != "-" && Self.sameFile(path, input) {
            throw CommandFailure("\(path) is the input file; choose another")
        }
        for path in [output, jsonOutput].compactMap({ $0 }) where path != "-" && !overwrite && FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("\(path): already exists (use --overwrite to replace it)")
        }
        let sink = try VideoResultSink(
            detector: detector, standardOutput: format ?? (output == "-" ? nil : .text),
            jsonPath: jsonOutput, overwrite: overwrite)
        let writer = try output.map { try annotatedWriter(to: $0, for: reader.header) }

        let session = detector.makeSession(threads: threads)
        var frame = reader.makeFrame()
        var result = DetectionResult()
        var canvas = RGBImage(width: reader.header.width, height: reader.header.height)
        let progress = VideoProgress(enabled: Terminal.standardErrorIsTerminal)
        var failure: (any Error)?
        do {
            while try reader.readFrame(into: &frame) {
                guard frame.index.isMultiple(of: every) else { continue }
                let metadata = FrameMetadata(index: frame.index, timestamp: frame.timestamp)
                if writer != nil {
                    // Converted once, for detection and for drawing; the conversion counts as preprocessing.
                    let start = ContinuousClock.now
                    try frame.withPixelFrame { try $0.convert(into: &canvas) }
                    let conversion = ContinuousClock.now - start
                    try session.detect(canvas, options: options, metadata: metadata, into: &result)
                    result.timing.preprocess += conversion
                } else {
                    try frame.withPixelFrame { try session.detect($0, options: options, metadata: metadata, into: &result) }
                }
                let tracks = tracker?.update(with: result.detections)
                if tracker != nil { result.detections.removeAll { !($0.score > reportedScore) } }
                progress.clear()
                try sink.emit(result, tracks: tracks)
                if let writer {
                    // Tracks when tracking (each keeps its colour), else detections.
                    if let tracks { canvas.drawTracks(tracks) } else { canvas.drawDetections(result.detections) }
                    try writer.write(canvas)
                }
                progress.advance(frame: frame.index)
            }
        } catch {
            failure = error
        }
        progress.finish(frames: reader.framesRead)
        do {
            try writer?.close()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
    }

    /// The annotated stream: the input's size, scan and aspect, 4:2:0, the rate of the frames kept.
    private func annotatedWriter(to path: String, for input: Y4MStreamHeader) throws -> Y4MWriter {
        var rate = input.frameRate
        rate?.denominator *= every
        let header = Y4MStreamHeader(
            width: input.width, height: input.height, frameRate: rate, interlacing: input.interlacing,
            pixelAspectRatio: input.pixelAspectRatio, colorSpace: .c420jpeg)
        if path == "-" { return try Y4MWriter.standardOutput(header: header) }
        if self.input != "-", Self.sameFile(path, self.input) {
            throw CommandFailure("--output \(path) is the input file; choose another")
        }
        return try Y4MWriter(path: path, header: header, overwrite: overwrite)
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}

/// What `detect video` prints per detected frame.
enum VideoOutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// A line per frame and one per detection (and track).
    case text
    /// JSON Lines: `{"frame", "timestamp", "timing_ms", "detections", "tracks"}` per frame.
    case json
}

/// An error whose description is the whole message.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
