import Foundation
import LiteDetectNN

/// A COCO annotation file (the `instances_*.json` layout), reduced to what box evaluation uses.
///
/// Parsing is strict: every field pycocotools reads must be there with the right type, ids are
/// unique, and every annotation names a listed image and category; errors name the file and the
/// entry. Unknown fields (`segmentation`, `info`, `licenses`, …) are allowed and ignored.
public struct COCOGroundTruth: Sendable {
    public struct Image: Sendable, Hashable {
        public var id: Int
        public var fileName: String
        /// In pixels, when the file gives them.
        public var width: Int?
        public var height: Int?

        public init(id: Int, fileName: String, width: Int? = nil, height: Int? = nil) {
            self.id = id
            self.fileName = fileName
            self.width = width
            self.height = height
        }
    }

    public struct Annotation: Sendable, Hashable {
        /// Not 0: pycocotools records matches by annotation id and reads 0 as "unmatched".
        public var id: Int
        public var imageID: Int
        public var categoryID: Int
        public var box: COCOBox
        /// The object's area as the file gives it (for COCO, the segmentation mask's, smaller than
        /// the box's): the small/medium/large ranges are judged on it.
        public var area: Double
        /// A crowd region: never a positive; detections inside it are ignored.
        public var isCrowd: Bool

        public init(id: Int, imageID: Int, categoryID: Int, box: COCOBox, area: Double, isCrowd: Bool = false) {
            self.id = id
            self.imageID = imageID
            self.categoryID = categoryID
            self.box = box
            self.area = area
            self.isCrowd = isCrowd
        }
    }

    public struct Category: Sendable, Hashable {
        public var id: Int
        public var name: String

        public init(id: Int, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// In the file's order.
    public let images: [Image]
    public let annotations: [Annotation]
    public let categories: [Category]

    /// Checks ids and references; `source` names the data in errors.
    public init(images: [Image], annotations: [Annotation], categories: [Category], source: String = "ground truth") throws(EvaluationError) {
        try Self.requireUnique(images.map(\.id), section: "images", source: source)
        try Self.requireUnique(categories.map(\.id), section: "categories", source: source)
        try Self.requireUnique(annotations.map(\.id), section: "annotations", source: source)
        let imageIDs = Set(images.map(\.id)), categoryIDs = Set(categories.map(\.id))
        for (index, annotation) in annotations.enumerated() {
            let entry = "annotations[\(index)] (id \(annotation.id))"
            func failure(_ problem: String) -> EvaluationError { .invalidEntry(file: source, entry: entry, problem: problem) }
            guard annotation.id != 0 else {
                throw failure("annotation id 0 is not allowed: pycocotools records a match by the annotation id and reads 0 as no match")
            }
            guard imageIDs.contains(annotation.imageID) else { throw failure("image_id \(annotation.imageID) is not in 'images'") }
            guard categoryIDs.contains(annotation.categoryID) else { throw failure("category_id \(annotation.categoryID) is not in 'categories'") }
            guard annotation.box.width >= 0, annotation.box.height >= 0, annotation.box.x.isFinite, annotation.box.y.isFinite,
                annotation.box.width.isFinite, annotation.box.height.isFinite
            else { throw failure("bbox must be finite with a width and height not negative") }
            guard annotation.area.isFinite, annotation.area >= 0 else { throw failure("area must be a number not below 0, found \(annotation.area)") }
        }
        self.images = images
        self.annotations = annotations
        self.categories = categories
    }

    /// Reads an annotation file.
    public init(contentsOf path: String) throws(EvaluationError) {
        try self.init(document: JSONDocument.read(contentsOf: path), source: path)
    }

    /// Parses annotation JSON; `source` names it in errors.
    public init(jsonData: Data, source: String) throws(EvaluationError) {
        try self.init(document: JSONDocument.parse(jsonData, file: source), source: source)
    }

    private init(document: JSONValue, source: String) throws(EvaluationError) {
        var images: [Image] = [], annotations: [Annotation] = [], categories: [Category] = []
        for (index, value) in try JSONDocument.array("images", in: document, file: source).enumerated() {
            var entry = try JSONEntry(value, file: source, entry: "images[\(index)]")
            let id = try entry.integer("id")
            entry.entry += " (id \(id))"
            let width = try entry.optionalInteger("width"), height = try entry.optionalInteger("height")
            if let width, width < 1 { throw entry.failure("'width' must be positive, found \(width)") }
            if let height, height < 1 { throw entry.failure("'height' must be positive, found \(height)") }
            images.append(Image(id: id, fileName: try entry.string("file_name"), width: width, height: height))
        }
        for (index, value) in try JSONDocument.array("categories", in: document, file: source).enumerated() {
            var entry = try JSONEntry(value, file: source, entry: "categories[\(index)]")
            let id = try entry.integer("id")
            entry.entry += " (id \(id))"
            categories.append(Category(id: id, name: try entry.string("name")))
        }
        for (index, value) in try JSONDocument.array("annotations", in: document, file: source).enumerated() {
            var entry = try JSONEntry(value, file: source, entry: "annotations[\(index)]")
            let id = try entry.integer("id")
            entry.entry += " (id \(id))"
            annotations.append(
                Annotation(
                    id: id, imageID: try entry.integer("image_id"), categoryID: try entry.integer("category_id"),
                    box: try entry.box("bbox"), area: try entry.number("area"), isCrowd: try entry.flag("iscrowd")))
        }
        try self.init(images: images, annotations: annotations, categories: categories, source: source)
    }

    private static func requireUnique(_ ids: [Int], section: String, source: String) throws(EvaluationError) {
        var firstIndex: [Int: Int] = [:]
        for (index, id) in ids.enumerated() {
            if let first = firstIndex.updateValue(index, forKey: id) {
                throw .invalidEntry(file: source, entry: "\(section)[\(index)] (id \(id))", problem: "the id is already used by \(section)[\(first)]")
            }
        }
    }
}
