// FrameLoop: the smallest complete video loop over the public LiteDetect API.
//
//   ffmpeg -i clip.mp4 -f yuv4mpegpipe - | swift run FrameLoop -
//   swift run FrameLoop clip.y4m [--model NAME] [--random-weights]
//
// Reads YUV4MPEG2 frames, detects in each (no copy of the frame, no allocation per frame once
// the first frame has been seen), tracks the detections across frames and prints one line per
// frame. One `Detector` is loaded once; the `DetectorSession`, the frame buffer and the result
// are made once and reused for every frame.
import Foundation
import LiteDetect
import LiteDetectModels

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
    let reader = try input == "-" ? Y4MReader.standardInput() : Y4MReader(path: input)
    let session = detector.makeSession()
    var tracker = MultiObjectTracker()
    var frame = reader.makeFrame()
    var result = DetectionResult()
    let options = DetectionOptions(scoreThreshold: 0.4)

    while try reader.readFrame(into: &frame) {
        let metadata = FrameMetadata(index: frame.index, timestamp: frame.timestamp)
        try frame.withPixelFrame { pixels in
            try session.detect(pixels, options: options, metadata: metadata, into: &result)
        }
        let tracks = tracker.update(with: result.detections)
        let time = frame.timestamp.map { String(format: "%.2fs", Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18) } ?? "-"
        let listed = tracks.map { "#\($0.id) \($0.label) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ")
        print("frame \(frame.index) \(time): \(result.detections.count) detections, \(tracks.count) tracks [\(listed)] "
            + String(format: "%.1f ms", result.timing.total / .milliseconds(1)))
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("FrameLoop: \(error)\n".utf8))
    exit(1)
}
