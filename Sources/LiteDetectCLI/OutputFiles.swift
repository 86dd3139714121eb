import Foundation
import LiteDetect
import LiteDetectImage

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
        let inputSet = Set(inputs.map(canonicalPath))
        var taken: Set<String> = []
        for input in inputs {
            let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
            let ext = ["jpg", "jpeg", "jpe", "jfif"].contains((input as NSString).pathExtension.lowercased()) ? "jpg" : "png"
            var counter = 1
            while true {
                let name = counter == 1 ? "\(stem).detections.\(ext)" : "\(stem).detections.\(counter).\(ext)"
                let path = (directory as NSString).appendingPathComponent(name)
                let standardized = canonicalPath(path)
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
        image.drawDetections(processed.result.detections)
        let encoding: ImageEncoding = path.hasSuffix(".jpg") ? .jpeg(quality: 92) : .png
        try ImageFile.save(image, to: path, as: encoding, overwrite: overwrite)
        return path
    }
}

/// `--save-txt DIR`: one result file per image, `<stem>.txt`, in the output format (YOLO for text).
///
/// Names are settled up front, as for annotated pictures: never an input (an image may be named
/// `x.txt`), and inputs that share a stem (`a/x.jpg`, `b/x.png`) get `x.txt`, `x.2.txt`, … rather
/// than one replacing the other. A file already there is replaced only with `overwrite`.
final class ResultFileWriter {
    let directory: String
    let format: OutputFormat
    let overwrite: Bool
    let detector: Detector
    private var plannedPaths: [String: String] = [:]

    init(directory: String, format: OutputFormat, overwrite: Bool, detector: Detector, inputs: [String]) {
        self.directory = directory
        self.format = format
        self.overwrite = overwrite
        self.detector = detector
        let inputSet = Set(inputs.map(canonicalPath))
        var taken: Set<String> = []
        for input in inputs {
            let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
            var counter = 1
            while true {
                let name = counter == 1 ? "\(stem).txt" : "\(stem).\(counter).txt"
                let path = (directory as NSString).appendingPathComponent(name)
                let canonical = canonicalPath(path)
                if !taken.contains(canonical) && !inputSet.contains(canonical) {
                    taken.insert(canonical)
                    plannedPaths[input] = path
                    break
                }
                counter += 1
            }
        }
    }

    func write(_ processed: ProcessedImage) throws {
        guard let path = plannedPaths[processed.path] else { throw ImageFailure(path: processed.path, reason: "no result file name planned") }
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

/// `path` absolute, with `.`/`..` removed and symbolic links in its directory resolved, so two
/// spellings of one file compare equal (`link/x.txt` and `x.txt` when `link` points to `.`).
/// The last component is kept as written: an output replaces a directory entry, never follows it.
func canonicalPath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let directory = url.deletingLastPathComponent()
    guard let resolved = realpath(directory.path, nil) else { return url.path }
    defer { free(resolved) }
    return URL(fileURLWithPath: String(cString: resolved)).appendingPathComponent(url.lastPathComponent).path
}
