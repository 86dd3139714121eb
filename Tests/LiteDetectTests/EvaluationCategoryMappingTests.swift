import LiteDetect
import LiteDetectEvaluation
import LiteDetectModels
import XCTest

/// How model classes become annotation categories: by id for torchvision's COCO labels, by name
/// otherwise.
final class EvaluationCategoryMappingTests: XCTestCase {
    func testTorchvisionCOCOModelsMapByID() throws {
        let labels = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-large").labels
        XCTAssertTrue(CategoryMapping.isTorchvisionCOCO(labels), "the bundled ssdlite320 configs carry torchvision's COCO labels")
        // A file that spells categories its own way still lines up by id.
        let categories = [
            COCOGroundTruth.Category(id: 1, name: "pedestrian"), COCOGroundTruth.Category(id: 18, name: "dog"),
            COCOGroundTruth.Category(id: 72, name: "tvmonitor"),
        ]
        let mapping = CategoryMapping(labels: labels, categories: categories)
        XCTAssertEqual(mapping.rule, .byID)
        XCTAssertEqual(mapping.categoryIDs, [1: 1, 18: 18, 72: 72])
        XCTAssertEqual(mapping.unmatchedLabels.count, 80 - 3, "80 COCO classes; the N/A placeholders are not classes")
        XCTAssertFalse(mapping.unmatchedLabels.contains("N/A"))
    }

    func testOtherModelsMapByNameIgnoringCase() throws {
        let labels = try ModelCatalog.bundled.config(named: "ssdlite300-mobilenetv2-person").labels
        XCTAssertFalse(CategoryMapping.isTorchvisionCOCO(labels))
        let mapping = CategoryMapping(
            labels: labels,
            categories: [
                COCOGroundTruth.Category(id: 3, name: "car"), COCOGroundTruth.Category(id: 9, name: "Person"),
            ])
        XCTAssertEqual(mapping.rule, .byName)
        XCTAssertEqual(mapping.categoryIDs, [1: 9])
        XCTAssertEqual(mapping.unmatchedLabels, [])

        let none = CategoryMapping(labels: ["background", "person", "kite"], categories: [COCOGroundTruth.Category(id: 1, name: "cat")])
        XCTAssertEqual(none.categoryIDs, [:])
        XCTAssertEqual(none.unmatchedLabels, ["person", "kite"])
    }

    func testTheCOCOListMustMatchEntirely() {
        var labels = CategoryMapping.torchvisionCOCOLabels
        labels[0] = "background"  // the background's name does not matter
        XCTAssertTrue(CategoryMapping.isTorchvisionCOCO(labels))
        labels[5] = "aeroplane"
        XCTAssertFalse(CategoryMapping.isTorchvisionCOCO(labels))
        XCTAssertFalse(CategoryMapping.isTorchvisionCOCO(Array(CategoryMapping.torchvisionCOCOLabels.prefix(81))))
    }
}
