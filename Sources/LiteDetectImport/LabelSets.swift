import Foundation
import LiteDetect
import LiteDetectEvaluation

/// Label lists for models whose files carry none (TF graphs, Caffe models): one per class
/// column, background first.
package enum LabelSets {
    /// By name: `coco` (91 columns, COCO 2017 category ids with "N/A" for the unused ones, as the
    /// TF Object Detection API and torchvision number them) or `voc` (21: Pascal VOC's 20 classes
    /// in their usual alphabetical order, as Caffe MobileNet-SSD was trained).
    package static func named(_ name: String) -> [String]? {
        switch name.lowercased() {
        case "coco": return CategoryMapping.torchvisionCOCOLabels
        case "voc": return voc
        default: return nil
        }
    }

    package static let voc = [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ]

    /// A built-in set by name, or a text file with one label per line (background first; blank
    /// lines and lines starting with `#` are skipped).
    package static func load(_ nameOrPath: String) throws(ImportError) -> [String] {
        if let known = named(nameOrPath) { return known }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw .unreadable(file: nameOrPath, reason: "neither a built-in label set (coco, voc) nor a file")
        }
        let data = try ModelFile.read(nameOrPath, maxBytes: 1 << 20)
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(file: nameOrPath, reason: "labels must be UTF-8 text") }
        let labels = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty && !$0.hasPrefix("#")
        }
        guard labels.count >= 2 else { throw .malformed(file: nameOrPath, reason: "needs the background label and at least one class, one per line") }
        return labels
    }
}
