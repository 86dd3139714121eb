import LiteDetect

/// Which annotation category each of a model's classes is scored as.
///
/// A model with torchvision's 91 COCO labels maps by id (its class ids are COCO category ids, so
/// a file that names a category differently still lines up); any other model maps by label name,
/// ignoring case (the person model's "person" → the file's "person"). Classes that find no
/// category are listed in `unmatchedLabels`; their detections are not scored.
public struct CategoryMapping: Sendable, Hashable {
    public enum Rule: String, Sendable, Hashable {
        case byID = "by id"
        case byName = "by name"
    }

    public let rule: Rule
    /// Category id of each matched model class id.
    public let categoryIDs: [Int: Int]
    /// Labels of the model's classes without a category, in class order (background and
    /// torchvision's "N/A" placeholders are not classes).
    public let unmatchedLabels: [String]

    /// A model's classes, by its config (class ids as its detections report them).
    public init(config: ModelConfig, categories: [COCOGroundTruth.Category]) {
        self.init(
            classes: config.labelsByClassID, byID: config.classIDs == nil && Self.isTorchvisionCOCO(config.labels),
            categories: categories)
    }

    /// - Parameter labels: a model's labels, background first, class id = column (`ModelConfig.labels`
    ///   of a config without `class_ids`).
    public init(labels: [String], categories: [COCOGroundTruth.Category]) {
        self.init(
            classes: labels.indices.dropFirst().map { ($0, labels[$0]) }, byID: Self.isTorchvisionCOCO(labels),
            categories: categories)
    }

    private init(classes: [(classID: Int, label: String)], byID: Bool, categories: [COCOGroundTruth.Category]) {
        let classes = classes.filter { $0.label != "N/A" }
        var mapping: [Int: Int] = [:]
        if byID {
            rule = .byID
            let ids = Set(categories.map(\.id))
            for (classID, _) in classes where ids.contains(classID) { mapping[classID] = classID }
        } else {
            rule = .byName
            // The first category of a name, should a file repeat one.
            var byName: [String: Int] = [:]
            for category in categories where byName[category.name.lowercased()] == nil { byName[category.name.lowercased()] = category.id }
            for (classID, label) in classes {
                if let id = byName[label.lowercased()] { mapping[classID] = id }
            }
        }
        categoryIDs = mapping
        unmatchedLabels = classes.filter { mapping[$0.classID] == nil }.map(\.label)
    }

    /// Whether `labels` (background first) are torchvision's COCO labels, class id = COCO category id.
    public static func isTorchvisionCOCO(_ labels: [String]) -> Bool {
        labels.count == torchvisionCOCOLabels.count && zip(labels, torchvisionCOCOLabels).dropFirst().allSatisfy { $0 == $1 }
    }

    /// torchvision's `_COCO_CATEGORIES` (the labels of its COCO detection weights): index = COCO
    /// 2017 category id; "N/A" for the ids COCO left unused; index 0 is the background.
    public static let torchvisionCOCOLabels: [String] = [
        "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A",
        "N/A", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
        "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork", "knife",
        "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
        "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A",
        "toilet", "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
        "toaster", "sink", "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
        "toothbrush",
    ]
}

extension CategoryMapping {
    /// One image's detections as COCO results, in their order; those of classes without a category
    /// are left out (counted by the caller as the difference).
    public func cocoDetections(_ detections: [LabeledDetection], imageID: Int) -> [COCODetection] {
        detections.compactMap { detection in
            categoryIDs[detection.classID].map { categoryID in
                COCODetection(
                    imageID: imageID, categoryID: categoryID,
                    box: COCOBox(x1: detection.box.x1, y1: detection.box.y1, x2: detection.box.x2, y2: detection.box.y2),
                    score: Double(detection.score))
            }
        }
    }
}
