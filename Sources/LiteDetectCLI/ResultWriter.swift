import Foundation
import LiteDetect
import LiteDetectJSONOutput

/// Formats per-image results for standard output in the chosen `OutputFormat`.
final class ResultWriter {
    let format: OutputFormat
    let detector: Detector
    private var cocoItems: [String] = []
    private var wroteCSVHeader = false
    private var imageIndex = 0

    init(format: OutputFormat, detector: Detector) {
        self.format = format
        self.detector = detector
    }

    func emit(_ processed: ProcessedImage, annotatedPath: String?) {
        defer { imageIndex += 1 }
        for warning in processed.warnings { Terminal.standardError("detect: \(processed.path): warning: \(warning)") }
        switch format {
        case .text: Terminal.standardOutput(Self.text(processed, annotatedPath: annotatedPath, detector: detector))
        case .json: Terminal.standardOutput(Self.json(processed, detector: detector) + "\n")
        case .csv:
            if !wroteCSVHeader {
                Terminal.standardOutput(Self.csvHeader + "\n")
                wroteCSVHeader = true
            }
            Terminal.standardOutput(Self.csvRows(processed))
        case .coco: cocoItems += Self.cocoItems(processed, imageID: Self.cocoImageID(processed.path, fallback: imageIndex))
        case .yolo: Terminal.standardOutput("# \(processed.path)\n" + Self.yolo(processed))
        }
    }

    func finish() {
        if format == .coco { Terminal.standardOutput(JSONText.array(cocoItems) + "\n") }
    }

    // MARK: Formats (also used for --save-txt files)

    static func text(_ p: ProcessedImage, annotatedPath: String?, detector: Detector) -> String {
        let r = p.result
        var out =
            "\(p.path): \(r.imageWidth)×\(r.imageHeight), \(r.detections.count) detection\(r.detections.count == 1 ? "" : "s")"
            + " (\(detector.config.name)\(detector.isRandomlyInitialised ? ", RANDOM WEIGHTS" : ""))\n"
        for d in r.detections {
            out += String(format: "  %-14@ %.3f  [%7.1f %7.1f %7.1f %7.1f]\n", d.label as NSString, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2)
        }
        out += String(
            format: "  time: preprocess %.1f ms, inference %.1f ms, postprocess %.1f ms\n", r.timing.preprocess / .milliseconds(1),
            r.timing.inference / .milliseconds(1), r.timing.postprocess / .milliseconds(1))
        if let annotatedPath { out += "  annotated: \(annotatedPath)\n" }
        return out
    }

    static func json(_ p: ProcessedImage, detector: Detector) -> String {
        DetectionJSON.result(p.result, detector: detector, path: p.path)
    }

    static let csvHeader = "path,class_id,label,score,x1,y1,x2,y2"

    static func csvRows(_ p: ProcessedImage) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return p.result.detections.map { d in
            [
                field(p.path), "\(d.classID)", field(d.label), JSONText.number(d.score), JSONText.number(d.box.x1),
                JSONText.number(d.box.y1), JSONText.number(d.box.x2), JSONText.number(d.box.y2),
            ].joined(separator: ",") + "\n"
        }.joined()
    }

    static func cocoItems(_ p: ProcessedImage, imageID: Int) -> [String] {
        p.result.detections.map { d in
            JSONText.object([
                ("image_id", "\(imageID)"), ("category_id", "\(d.classID)"),
                ("bbox", JSONText.array([d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1].map { JSONText.number($0) })),
                ("score", JSONText.number(d.score)),
            ])
        }
    }

    /// COCO image ids are the numeric file stem (`000000397133.jpg` → 397133), else the input's position.
    static func cocoImageID(_ path: String, fallback: Int) -> Int {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return Int(stem) ?? fallback
    }

    static func yolo(_ p: ProcessedImage) -> String {
        let w = Float(p.result.imageWidth), h = Float(p.result.imageHeight)
        return p.result.detections.map { d in
            let values = [(d.box.x1 + d.box.x2) / 2 / w, (d.box.y1 + d.box.y2) / 2 / h, (d.box.x2 - d.box.x1) / w, (d.box.y2 - d.box.y1) / h]
            return "\(d.classID) " + values.map { String(format: "%.6f", $0) }.joined(separator: " ") + String(format: " %.6f", d.score) + "\n"
        }.joined()
    }
}
