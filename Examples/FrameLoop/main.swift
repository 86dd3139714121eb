// FrameLoop: the smallest complete video loop over the public LiteDetect API.
//
//   swift run FrameLoop clip.mp4 [--model NAME] [--random-weights]
//   ffmpeg -i rtsp://camera/stream -f yuv4mpegpipe - | swift run FrameLoop -
//
// Reads a video file through FFmpeg's libraries (or YUV4MPEG2 on standard input), detects in each
// frame where the decoder left it (no copy of the frame; LiteDetect allocates nothing per frame
// once the first frame has been seen), tracks the detections across frames and prints one line
// per frame. One `Detector` is loaded once; the `DetectorSession`, the tracker and the result
// are made once and reused for every frame.
import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectVideo

func run(_ arguments: [String]) throws {
    var input = "-"
    var model = ModelCatalog.defaultModelName
    var weights = WeightsChoice.configured
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
        switch argument {
        case "--model": model = remaining.popFirst() ?? model
        case "--random-weights": weights = .random(seed: 1)
        default: input = argument
        }
    }

    let detector = try Detector(model: model, weights: weights)
    let session = detector.makeSession()
    var tracker = MultiObjectTracker()
    var result = DetectionResult()
    let options = DetectionOptions(scoreThreshold: 0.4)

    // Everything done with one frame: detect where it lies, track, print.
    func process(_ pixels: PixelFrame, _ metadata: FrameMetadata) throws {
        try session.detect(pixels, options: options, metadata: metadata, into: &result)
        let tracks = tracker.update(with: result.detections)
        let time = metadata.timestamp.map { String(format: "%.2fs", $0 / .seconds(1)) } ?? "-"
        let listed = tracks.map { "#\($0.id) \($0.label) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ")
        print(
            "frame \(metadata.index) \(time): \(result.detections.count) detections, \(tracks.count) tracks [\(listed)] "
                + String(format: "%.1f ms", result.timing.total / .milliseconds(1)))
    }

    if input == "-" {
        // A pipe: YUV4MPEG2, refilling one frame buffer.
        let reader = try Y4MReader.standardInput()
        var frame = reader.makeFrame()
        while try reader.readFrame(into: &frame) {
            let metadata = FrameMetadata(index: frame.index, timestamp: frame.timestamp)
            try frame.withPixelFrame { try process($0, metadata) }
        }
    } else {
        // A file: MP4, MKV, AVI, .y4m… decoded by FFmpeg; each frame is lent from the decoder.
        let reader = try VideoFileReader(path: input)
        while try reader.withNextFrame(process) {}
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("FrameLoop: \(error)\n".utf8))
    exit(1)
}
