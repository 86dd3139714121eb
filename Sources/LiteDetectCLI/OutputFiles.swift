import Foundation
import LiteDetect

/// Chooses and writes the annotated picture of each input: `<dir>/<stem>.detections.<jpg|png>`.
///
/// Never replaces an input. Without `overwrite`, an existing file is kept and the next free
/// name (`<stem>.detections.2.jpg`, …) is used; names are settled up front so inputs that share
/// a stem (`a/x.jpg`, `b/x.jpg`) never collide.
final class AnnotatedImageWriter {
    private var plannedPaths: [String: String] = [:]
    private let overwrite: Bool

    init(directory: String, overwrite: Bool, inputs: [String]) {
        self.overwrite = overwrite
        let fm = FileManager.default
        let inputSet = Set(inputs.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        var taken: Set<String> = []
        for input in inputs {
            let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
            let ext = ["jpg", "jpeg", "jpe", "jfif"].contains((input as NSString).pathExtension.lowercased()) ? "jpg" : "png"
            var counter = 1
            while true {
                let name = counter == 1 ? "\(stem).detections.\(ext)" : "\(stem).detections.\(counter).\(ext)"
                let path = (directory as NSString).appendingPathComponent(name)
                let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
                let clash = taken.contains(standardized) || inputSet.contains(standardized) || (!overwrite && fm.fileExists(atPath: path))
                if !clash {
                    taken.insert(standardized)
                    plannedPaths[input] = path
                    break
                }
                counter += 1
            }
        }
    }

    /// Draws the detections and writes the picture; returns the path written.
    func write(_ processed: ProcessedImage) throws -> String {
        guard let path = plannedPaths[processed.path] else { throw ImageFailure(path: processed.path, reason: "no output name planned") }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var image = processed.image
        image.draw(processed.result.detections.map {
            BoxAnnotation(
                xMin: Double($0.box.x1), yMin: Double($0.box.y1), xMax: Double($0.box.x2), yMax: Double($0.box.y2),
                classID: $0.classID, label: $0.label, score: $0.score)
        })
        let encoding: ImageEncoding = path.hasSuffix(".jpg") ? .jpeg(quality: 92) : .png
        try ImageFile.save(image, to: path, as: encoding, overwrite: overwrite)
        return path
    }
}

/// `--save-txt DIR`: one result file per image, `<stem>.txt`, in the output format (YOLO for text).
struct ResultFileWriter {
    let directory: String
    let format: OutputFormat
    let overwrite: Bool
    let detector: Detector

    func write(_ processed: ProcessedImage) throws {
        let stem = ((processed.path as NSString).lastPathComponent as NSString).deletingPathExtension
        let path = (directory as NSString).appendingPathComponent("\(stem).txt")
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw ImageFailure(path: path, reason: "already exists (use --overwrite to replace it)")
        }
        let body: String
        switch format {
        case .text, .yolo: body = ResultWriter.yolo(processed)
        case .csv: body = ResultWriter.csvHeader + "\n" + ResultWriter.csvRows(processed)
        case .json, .coco: body = ResultWriter.json(processed, detector: detector) + "\n"
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Atomic: a reader never sees a half-written file.
        try Data(body.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
