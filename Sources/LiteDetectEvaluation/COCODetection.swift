import Foundation
import LiteDetectNN

/// One entry of a COCO results file: a scored box of a category on an image.
public struct COCODetection: Sendable, Hashable {
    public var imageID: Int
    public var categoryID: Int
    public var box: COCOBox
    public var score: Double

    public init(imageID: Int, categoryID: Int, box: COCOBox, score: Double) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.score = score
    }

    /// Reads a COCO results file (a JSON array of `image_id`, `category_id`, `bbox`
    /// `[x, y, width, height]`, `score`; other fields are ignored), in the file's order, which
    /// decides the order of exact score ties as in pycocotools.
    ///
    /// Every `image_id` must be one of `groundTruth`'s images (pycocotools refuses the file
    /// otherwise). Category ids the annotations lack are kept here; evaluation ignores them, as
    /// pycocotools does.
    public static func load(contentsOf path: String, for groundTruth: COCOGroundTruth) throws(EvaluationError) -> [COCODetection] {
        try parse(JSONDocument.read(contentsOf: path), source: path, imageIDs: Set(groundTruth.images.map(\.id)))
    }

    /// Parses results JSON; `source` names it in errors.
    public static func parse(jsonData: Data, source: String, for groundTruth: COCOGroundTruth) throws(EvaluationError) -> [COCODetection] {
        try parse(JSONDocument.parse(jsonData, file: source), source: source, imageIDs: Set(groundTruth.images.map(\.id)))
    }

    private static func parse(_ document: JSONValue, source: String, imageIDs: Set<Int>) throws(EvaluationError) -> [COCODetection] {
        guard case let .array(entries) = document else {
            throw .invalidEntry(
                file: source, entry: "", problem: "a COCO results file must be a JSON array of detections, found \(document.kindDescription)")
        }
        var detections: [COCODetection] = []
        detections.reserveCapacity(entries.count)
        for (index, value) in entries.enumerated() {
            let entry = try JSONEntry(value, file: source, entry: "[\(index)]")
            let imageID = try entry.integer("image_id")
            guard imageIDs.contains(imageID) else {
                throw entry.failure("image_id \(imageID) is not an image of the annotations (wrong annotation file, or ids not taken from it?)")
            }
            let score = try entry.number("score")
            detections.append(
                COCODetection(
                    imageID: imageID, categoryID: try entry.integer("category_id"), box: try entry.box("bbox"), score: score))
        }
        return detections
    }
}
