import LiteDetect

/// How every JSON output of LiteDetect writes a detection, a box and stage timings: `detect`'s
/// image and video results and `detect serve`'s answers share one schema.
package enum DetectionJSON {
    /// `{"class_id", "label", "score", "box": {"x1", "y1", "x2", "y2"}}`, box in image pixels.
    package static func detection(_ d: LabeledDetection) -> String {
        JSONText.object([
            ("class_id", "\(d.classID)"), ("label", JSONText.string(d.label)), ("score", JSONText.number(d.score)),
            ("box", box(d.box)),
        ])
    }

    package static func box(_ box: Box) -> String {
        JSONText.object([
            ("x1", JSONText.number(box.x1)), ("y1", JSONText.number(box.y1)), ("x2", JSONText.number(box.x2)), ("y2", JSONText.number(box.y2)),
        ])
    }

    /// `{"preprocess": p, "inference": i, "postprocess": q}` in milliseconds, to the microsecond.
    package static func timing(_ timing: StageTiming) -> String {
        JSONText.object([
            ("preprocess", JSONText.milliseconds(timing.preprocess)), ("inference", JSONText.milliseconds(timing.inference)),
            ("postprocess", JSONText.milliseconds(timing.postprocess)),
        ])
    }

    /// One image's result: `{["path",] "width", "height", "model", "backbone", "precision",
    /// ["random_weights": true,] "timing_ms", "detections"}`.
    package static func result(_ result: DetectionResult, detector: Detector, path: String? = nil) -> String {
        var fields: [(String, String)] = []
        if let path { fields.append(("path", JSONText.string(path))) }
        fields += [
            ("width", "\(result.imageWidth)"), ("height", "\(result.imageHeight)"),
            ("model", JSONText.string(detector.config.name)), ("backbone", JSONText.string(detector.config.backbone.name.rawValue)),
            ("precision", JSONText.string(detector.precision.rawValue)),
        ]
        if detector.isRandomlyInitialised { fields.append(("random_weights", "true")) }
        fields.append(("timing_ms", timing(result.timing)))
        fields.append(("detections", JSONText.array(result.detections.map(detection))))
        return JSONText.object(fields)
    }
}
