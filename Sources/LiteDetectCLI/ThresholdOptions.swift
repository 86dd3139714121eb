import ArgumentParser
import LiteDetect

/// Which detections a command keeps (shared by the commands that run a detector).
struct ThresholdOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Keep detections scoring above this (default: the model's operating point, its config's postprocess.detect_threshold, else 0.5).",
            valueName: "score"))
    var scoreThreshold: Float?

    @Option(help: ArgumentHelp("NMS IoU threshold (default: the model config's).", valueName: "iou"))
    var iouThreshold: Double?

    @Option(help: ArgumentHelp("At most this many detections per image or frame (default: the model config's).", valueName: "n"))
    var maxDetections: Int?

    @Option(help: ArgumentHelp("Only these classes, by label (comma-separated, e.g. person,car).", valueName: "labels"))
    var classes: String?

    @Flag(help: "One NMS across all classes instead of one per class.")
    var agnosticNms = false

    func validate() throws {
        try OptionBounds.checkUnit(scoreThreshold, flag: "--score-threshold")
        try OptionBounds.checkUnit(iouThreshold, flag: "--iou-threshold")
        if let maxDetections { try OptionBounds.check(maxDetections, in: OptionBounds.detections, flag: "--max-detections") }
    }

    /// `--score-threshold`, else the model's operating point, else 0.5. (Not the config's
    /// `score_threshold`: that is the evaluation threshold, far too low to show.)
    func reportedScoreThreshold(for detector: Detector) -> Float {
        scoreThreshold ?? detector.config.postprocess.detectThreshold ?? 0.5
    }

    /// The options for `detector` (class labels are resolved against its model).
    func detectionOptions(for detector: Detector) throws -> DetectionOptions {
        var options = DetectionOptions(
            scoreThreshold: reportedScoreThreshold(for: detector), iouThreshold: iouThreshold,
            maxDetections: maxDetections, classAgnostic: agnosticNms ? true : nil)
        if let classes {
            options.classIDs = try detector.classIDs(forLabels: classes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return options
    }
}
