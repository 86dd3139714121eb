import Foundation
import LiteDetect
import LiteDetectEvaluation
import LiteDetectModels
import XCTest

/// `class_ids`: a model whose columns report other ids than their index (the COCO students keep
/// COCO's ids with a dozen columns). Checked on the real VOC model, whose 20 classes are given
/// COCO's ids for the same things.
final class ClassIDTableTests: XCTestCase {
    /// VOC's columns (background, aeroplane … tvmonitor) → COCO's ids for them.
    private static let vocToCOCO = [0, 5, 2, 16, 9, 44, 6, 3, 17, 62, 21, 67, 18, 19, 4, 1, 64, 20, 63, 7, 72]

    private func vocConfigJSON() throws -> [String: Any] {
        let url = ModelCatalog.bundled.directory.appendingPathComponent("models/ssd300-mobilenetv1-voc.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func parse(_ object: [String: Any]) throws -> ModelConfig {
        try ModelConfig.parse(JSONSerialization.data(withJSONObject: object), name: "test.json")
    }

    func testTheTableMustGiveEachLabelADistinctIDInRange() throws {
        var object = try vocConfigJSON()
        object["class_ids"] = Self.vocToCOCO
        XCTAssertEqual(try parse(object).classIDs, Self.vocToCOCO)
        let mistakes: [([Int], String)] = [
            (Array(Self.vocToCOCO.dropLast()), "has 20 entries for 21 labels (one per label, background first)"),
            (Self.vocToCOCO.dropLast() + [1], "repeats an id"),
            (Self.vocToCOCO.dropLast() + [-1], "ids must lie in 0...1000000"),
            (Self.vocToCOCO.dropLast() + [1_000_001], "ids must lie in 0...1000000"),
        ]
        for (table, problem) in mistakes {
            object["class_ids"] = table
            XCTAssertThrowsError(try parse(object), problem) { error in
                XCTAssertEqual(error as? ConfigError, .invalidValue(file: "test.json", key: "class_ids", problem: problem))
            }
        }
    }

    func testDetectionsReportTheTablesIDsWithTheSameBoxesAndLabels() throws {
        let plain = try Detector(model: "ssd300-mobilenetv1-voc")
        var config = plain.config
        config.classIDs = Self.vocToCOCO
        let mapped = try Detector(config: config)
        for stem in ["person", "dog", "horses"] {
            let image = try RealModelFixtures.photo300(stem)
            let expected = try plain.makeSession().detect(image).detections
            let got = try mapped.makeSession().detect(image).detections
            XCTAssertFalse(expected.isEmpty, stem)
            XCTAssertEqual(got.count, expected.count, stem)
            for (g, e) in zip(got, expected) {
                XCTAssertEqual(g.classID, Self.vocToCOCO[e.classID], stem)
                XCTAssertEqual(g.label, e.label, stem)
                XCTAssertEqual(g.score, e.score, stem)
                XCTAssertEqual(g.box, e.box, stem)
            }
        }
        XCTAssertEqual(try mapped.classIDs(forLabels: ["person", "DOG"]), [1, 18])
        let options = DetectionOptions(classIDs: try mapped.classIDs(forLabels: ["horse"]))
        let horses = try mapped.makeSession().detect(try RealModelFixtures.photo300("horses"), options: options).detections
        XCTAssertFalse(horses.isEmpty)
        XCTAssertTrue(horses.allSatisfy { $0.classID == 19 && $0.label == "horse" })
    }

    /// A config built in code is not checked by the decoder; the detector refuses a bad table.
    func testADetectorRefusesATableThatDoesNotFit() throws {
        var config = try ModelCatalog.bundled.config(named: "ssd300-mobilenetv1-voc")
        for table in [Array(Self.vocToCOCO.dropLast()), Self.vocToCOCO.dropLast() + [1], Self.vocToCOCO.dropLast() + [-1]] {
            config.classIDs = table
            XCTAssertThrowsError(try Detector(config: config)) { error in
                guard case .invalidOption(name: "classIDs", _)? = error as? DetectorError else { return XCTFail("\(error)") }
            }
        }
    }

    func testEvaluationMapsTheReportedIDsByName() throws {
        var config = try ModelCatalog.bundled.config(named: "ssd300-mobilenetv1-voc")
        config.classIDs = Self.vocToCOCO
        let mapping = CategoryMapping(
            config: config,
            categories: [
                COCOGroundTruth.Category(id: 1, name: "person"), COCOGroundTruth.Category(id: 50, name: "Horse"),
            ])
        XCTAssertEqual(mapping.rule, .byName)
        XCTAssertEqual(mapping.categoryIDs, [1: 1, 19: 50], "keys are the ids detections report")
        XCTAssertEqual(mapping.unmatchedLabels.count, 18)
    }
}
