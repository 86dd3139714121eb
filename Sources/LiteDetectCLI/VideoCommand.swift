import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectImage
import LiteDetectModels
import LiteDetectVideo

/// `detect video INPUT`: detection, and optionally tracking, on a video file or YUV4MPEG2 stream
/// frame by frame, with an annotated video out.
struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Detect (and track) objects in a video, frame by frame.",
        discussion: """
            INPUT is any video file FFmpeg's libraries decode (MP4, MKV, WebM, AVI, MOV…; H.264, H.265, VP9, MPEG-4, MJPEG…), a YUV4MPEG2 (.y4m) file, or - for a YUV4MPEG2 stream on standard input:
              detect video clip.mp4 --output out.mp4
              detect video clip.mp4 --track --format json > tracks.jsonl
              detect video clip.mkv --start 1:30 --duration 20 --every 5 --output boxes.mkv --json-output results.jsonl
              ffmpeg -i rtsp://camera/stream -f yuv4mpegpipe - | detect video - --output - | ffplay -

            --output chooses the container by its extension (.mp4, .mkv, .mov, .avi, .webm…) and encodes H.264 where the container takes it (else the container's own codec, said on standard error), keeping the input's size and timestamps and copying its audio when the container can hold it; .y4m or - writes YUV4MPEG2 (C420jpeg). With --every N only the detected frames are written (the output then has gaps). Timestamps in the JSON are the input's own presentation times. A damaged input stops at the frame where it breaks, after everything before it was written, with exit status 1.
            """
    )

    @Argument(help: ArgumentHelp("A video file, a YUV4MPEG2 (.y4m) file, or - for YUV4MPEG2 on standard input.", valueName: "input"))
    var input: String

    @OptionGroup var model: ModelOptions

    @OptionGroup var thresholds: ThresholdOptions

    @Option(
        help: ArgumentHelp(
            "Write the annotated video to this file (container from the extension: .mp4, .mkv, .avi, .y4m…), or - for YUV4MPEG2 on standard output.",
            valueName: "path|-"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "What goes to standard output, one entry per detected frame (default: text; nothing when --output - takes standard output).",
            valueName: "text|json"))
    var format: VideoOutputFormat?

    @Option(help: ArgumentHelp("Also write the JSON lines to this file (how to get them with --output -).", valueName: "path"))
    var jsonOutput: String?

    @Option(help: ArgumentHelp("Detect in every Nth frame only (frames 0, N, 2N, … counted from --start).", valueName: "n"))
    var every: Int = 1

    @Option(help: ArgumentHelp("Start at this time in the input: seconds (12.5) or [hh:]mm:ss[.fff].", valueName: "time"))
    var start: TimeArgument = TimeArgument(.zero)

    @Option(help: ArgumentHelp("Stop after this much of the input: seconds or [hh:]mm:ss[.fff].", valueName: "time"))
    var duration: TimeArgument?

    @Flag(
        help: ArgumentHelp(
            "Track objects across frames (ByteTrack-style): stable ids in the output and on the boxes.",
            discussion:
                "Detections down to 0.1 feed the tracker (they keep partly hidden objects tracked); tracks start from those above --score-threshold + 0.1; only detections above --score-threshold are reported."
        ))
    var track = false

    @Flag(help: "Replace existing output files (without it, an existing file is an error).")
    var overwrite = false

    @Option(help: ArgumentHelp("Refuse frames with more pixels than this (checked from the stream header, before allocating).", valueName: "pixels"))
    var maxPixels: Int = Y4MReader.defaultMaxPixels

    @Option(
        help: ArgumentHelp(
            "Frames detected at once, each on its own thread, while another thread decodes; output keeps the input's order.",
            valueName: "n"))
    var threads: Int = 1

    func validate() throws {
        try OptionBounds.check(threads, in: 1...64, flag: "--threads")
        try OptionBounds.check(every, atLeast: 1, flag: "--every")
        try OptionBounds.check(maxPixels, in: OptionBounds.pixels, flag: "--max-pixels")
        if let duration, duration.duration <= .zero { throw ValidationError("--duration must be positive") }
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
        let source = try VideoInput.open(input, maxPixels: maxPixels, start: start.duration, duration: duration?.duration)
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
        // The video first: it is the output most likely refused (an extension no container has).
        let writer = try output.map { try VideoOutput(path: $0, input: source, every: every, start: start.duration, overwrite: overwrite) }
        let sink: VideoResultSink
        do {
            sink = try VideoResultSink(
                detector: detector, standardOutput: format ?? (output == "-" ? nil : .text),
                jsonPath: jsonOutput, overwrite: overwrite)
        } catch {
            writer?.abandon()
            throw error
        }
        if let note = writer?.note { Terminal.standardError("detect: \(note)") }

        let end = duration.map { start.duration + $0.duration }
        let progress = VideoProgress(
            enabled: Terminal.standardErrorIsTerminal, total: source.expectedFrames(path: input, start: start.duration, duration: duration?.duration))
        // Frames counted from --start: --every picks from these.
        var position = 0
        var reachedEnd = false
        let frameStep = every, startTime = start.duration

        /// The next frame to detect, converted to RGB in the slot (the copy that lets it wait for a
        /// worker; detecting in a YUV frame converts it the same way). `false` at the end.
        func read(into slot: inout FramePipeline.Slot) throws -> Bool {
            var found = false
            while !found && !reachedEnd {
                let more = try source.next { frame, metadata in
                    // A Y4M input is cut here; a file input was cut by its reader already.
                    if let time = metadata.timestamp {
                        if time < startTime { return }
                        if let end, time >= end {
                            reachedEnd = true
                            return
                        }
                    }
                    defer { position += 1 }
                    guard position.isMultiple(of: frameStep) else { return }
                    let clock = ContinuousClock.now
                    if slot.canvas.width != frame.width || slot.canvas.height != frame.height {
                        slot.canvas = RGBImage(width: frame.width, height: frame.height)
                    }
                    try frame.convert(into: &slot.canvas)
                    slot.conversion = ContinuousClock.now - clock
                    slot.metadata = metadata
                    slot.position = position + 1
                    found = true
                }
                if !more { reachedEnd = true }
            }
            return found
        }

        func detect(with session: DetectorSession, _ slot: inout FramePipeline.Slot) throws {
            try session.detect(slot.canvas, options: options, metadata: slot.metadata, into: &slot.result)
            // The conversion to RGB counts as preprocessing, as when a session converts a YUV frame.
            slot.result.timing.preprocess += slot.conversion
        }

        func emit(_ slot: inout FramePipeline.Slot) throws {
            let tracks = tracker?.update(with: slot.result.detections)
            if tracker != nil { slot.result.detections.removeAll { !($0.score > reportedScore) } }
            progress.clear()
            try sink.emit(slot.result, tracks: tracks)
            if let writer {
                // Tracks when tracking (each keeps its colour), else detections.
                if let tracks { slot.canvas.drawTracks(tracks) } else { slot.canvas.drawDetections(slot.result.detections) }
                try writer.write(slot.canvas, metadata: slot.metadata)
            }
            progress.advance(frames: slot.position)
        }

        var failure: (any Error)?
        do {
            if threads == 1 {
                // One thread does everything, frame after frame, in one reused slot.
                let session = detector.makeSession(threads: 1)
                var slot = FramePipeline.Slot(canvas: RGBImage(width: source.width, height: source.height))
                while try read(into: &slot) {
                    try detect(with: session, &slot)
                    try emit(&slot)
                }
            } else {
                // Frames in parallel: one session (one thread) per worker; output stays in order.
                let sessions = (0..<threads).map { _ in detector.makeSession(threads: 1) }
                let pipeline = FramePipeline(sessions: sessions, width: source.width, height: source.height)
                try pipeline.run(read: read, detect: detect, emit: emit)
            }
        } catch {
            failure = error
        }
        progress.finish(frames: source.framesRead)
        do {
            try writer?.close()
        } catch {
            failure = failure ?? error
        }
        if let failure { throw failure }
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
