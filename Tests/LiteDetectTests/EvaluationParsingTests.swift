import Foundation
import LiteDetect
import LiteDetectEvaluation
import XCTest

/// Strict reading of COCO annotation and results files: what is refused, and how the message
/// names the file and the entry.
final class EvaluationParsingTests: XCTestCase {
    private let file = "annotations.json"

    private func groundTruth(_ json: String) throws(EvaluationError) -> COCOGroundTruth {
        try COCOGroundTruth(jsonData: Data(json.utf8), source: file)
    }

    private func groundTruthError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try groundTruth(json)
            XCTFail("accepted: \(json)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    private func document(
        images: String = #"[{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]"#,
        annotations: String = "[]", categories: String = #"[{"id": 1, "name": "person"}]"#
    ) -> String {
        #"{"images": \#(images), "annotations": \#(annotations), "categories": \#(categories)}"#
    }

    private func annotation(_ fields: String) -> String {
        document(annotations: "[{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"area\": 25, \"iscrowd\": 0}, {\(fields)}]")
    }

    func testAValidFileIsRead() throws {
        let truth = try groundTruth(
            document(
                images: #"[{"id": 7, "file_name": "caf\u00e9 \ud83d\udcf7.jpg", "width": 640, "height": 480, "license": 3}]"#,
                annotations:
                    #"[{"id": 12, "image_id": 7, "category_id": 1, "bbox": [1.5, 2, 3.25, 4e1], "area": 100.5, "iscrowd": true, "segmentation": [[1, 2, 3]]}]"#
            ))
        XCTAssertEqual(truth.images, [COCOGroundTruth.Image(id: 7, fileName: "café 📷.jpg", width: 640, height: 480)])
        XCTAssertEqual(
            truth.annotations,
            [
                COCOGroundTruth.Annotation(
                    id: 12, imageID: 7, categoryID: 1, box: COCOBox(x: 1.5, y: 2, width: 3.25, height: 40), area: 100.5, isCrowd: true)
            ])
        XCTAssertEqual(truth.categories, [COCOGroundTruth.Category(id: 1, name: "person")])
    }

    func testNumbersAreParsedExactlyAsPythonDoes() throws {
        // 17 significant digits, as Python's repr writes floats: Foundation's JSONSerialization on
        // Linux rounds this one to 0.35000000000000014.
        let truth = try groundTruth(document())
        let results = try COCODetection.parse(
            jsonData: Data(
                #"[{"image_id": 1, "category_id": 1, "bbox": [0.1, 123.45678901234567, 1e-7, 2.5E+2], "score": 0.35000000000000003}]"#.utf8),
            source: "results.json", for: truth)
        XCTAssertEqual(results.first?.score, 0.35000000000000003)
        XCTAssertEqual(results.first?.box, COCOBox(x: 0.1, y: 123.45678901234567, width: 1e-7, height: 250))
    }

    func testMalformedJSONNamesTheLineAndColumn() {
        XCTAssertEqual(
            groundTruthError("{\"images\": [\n  {\"id\": 1,}\n]}"),
            "annotations.json: not valid JSON (line 2, column 12, in images[0]): expected a key in double quotes")
        XCTAssertEqual(
            groundTruthError("{\"images\": [], \"images\": []}"),
            "annotations.json: not valid JSON (line 1, column 16, in images): the key \"images\" is given twice in one object; keep one")
        XCTAssertEqual(
            groundTruthError("{\"a\": 01}"), "annotations.json: not valid JSON (line 1, column 7, in a): numbers must not have leading zeros")
        XCTAssertEqual(
            groundTruthError("{\"a\": 1e999}"), "annotations.json: not valid JSON (line 1, column 7, in a): the number 1e999 is out of range")
        XCTAssertEqual(groundTruthError("{\"a\": NaN}"), "annotations.json: not valid JSON (line 1, column 7, in a): unexpected character 'N'")
        XCTAssertEqual(groundTruthError("{\"a\": \"x}"), "annotations.json: not valid JSON (line 1, column 10, in a): unterminated string")
        XCTAssertEqual(
            groundTruthError("[] []"), "annotations.json: not valid JSON (line 1, column 4): unexpected text after the end of the document")
        XCTAssertEqual(
            groundTruthError(String(repeating: "[", count: 600)),
            "annotations.json: not valid JSON (line 1, column 513, in \(String(repeating: "[0]", count: 16))…): nested deeper than 512 levels")
    }

    func testStructuralProblemsNameTheSection() {
        XCTAssertEqual(
            groundTruthError("[]"), "annotations.json: must be a JSON object with 'images', 'annotations' and 'categories', found an array")
        XCTAssertEqual(groundTruthError(#"{"images": [], "categories": []}"#), "annotations.json: missing 'annotations'")
        XCTAssertEqual(
            groundTruthError(#"{"images": {}, "annotations": [], "categories": []}"#), "annotations.json: images: must be an array, found an object")
    }

    func testEntryProblemsNameTheEntryAndField() {
        XCTAssertEqual(
            groundTruthError(document(images: #"[{"id": 1, "file_name": "a.jpg"}, {"id": 2}]"#)),
            "annotations.json: images[1] (id 2): missing 'file_name'")
        XCTAssertEqual(
            groundTruthError(document(images: #"[{"id": 1.5, "file_name": "a.jpg"}]"#)),
            "annotations.json: images[0]: 'id' must be a whole number, found 1.5")
        XCTAssertEqual(
            groundTruthError(document(images: #"[{"id": 1, "file_name": "a.jpg", "width": 0, "height": 4}]"#)),
            "annotations.json: images[0] (id 1): 'width' must be positive, found 0")
        XCTAssertEqual(
            groundTruthError(document(categories: #"[{"id": 1, "name": 5}]"#)),
            "annotations.json: categories[0] (id 1): 'name' must be a string, found a number")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): missing 'area'")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): 'bbox' must hold 4 numbers [x, y, width, height], found 3")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, -5, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): 'bbox' has a negative width or height (-5.0 × 5.0); COCO boxes are [x, y, width, height]")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 1, "iscrowd": 2"#)),
            "annotations.json: annotations[1] (id 2): 'iscrowd' must be 0 or 1")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": -1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): area must be a number not below 0, found -1.0")
    }

    func testIdentifiersMustBeUniqueAndReferencesResolve() {
        XCTAssertEqual(
            groundTruthError(document(images: #"[{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "b.jpg"}]"#)),
            "annotations.json: images[1] (id 1): the id is already used by images[0]")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 1): the id is already used by annotations[0]")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 9, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): image_id 9 is not in 'images'")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 2, "image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 2): category_id 3 is not in 'categories'")
        XCTAssertEqual(
            groundTruthError(annotation(#""id": 0, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 1, "iscrowd": 0"#)),
            "annotations.json: annotations[1] (id 0): annotation id 0 is not allowed: pycocotools records a match by the annotation id and reads 0 as no match"
        )
    }

    func testResultsFileProblemsNameTheEntry() throws {
        let truth = try groundTruth(document())
        func resultsError(_ json: String) -> String {
            do {
                _ = try COCODetection.parse(jsonData: Data(json.utf8), source: "results.json", for: truth)
                XCTFail("accepted: \(json)")
                return ""
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(resultsError(#"{"image_id": 1}"#), "results.json: a COCO results file must be a JSON array of detections, found an object")
        XCTAssertEqual(resultsError(#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]"#), "results.json: [0]: missing 'score'")
        XCTAssertEqual(
            resultsError(
                #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}, {"image_id": 4, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]"#
            ),
            "results.json: [1]: image_id 4 is not an image of the annotations (wrong annotation file, or ids not taken from it?)")
        XCTAssertEqual(
            resultsError(#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": "high"}]"#),
            "results.json: [0]: 'score' must be a number, found a string")
        // A category the annotations lack is not a parse error: evaluation skips it, as pycocotools does.
        XCTAssertEqual(
            try COCODetection.parse(
                jsonData: Data(#"[{"image_id": 1, "category_id": 42, "bbox": [0, 0, 1, 1], "score": 0.5}]"#.utf8), source: "results.json", for: truth
            ).count, 1)
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try COCOGroundTruth(contentsOf: "/nonexistent/instances.json")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/instances.json: cannot read: no such file")
        }
    }

    func testInMemoryDetectionsOfUnknownImagesAreRefused() throws {
        let truth = try groundTruth(document())
        let stray = COCODetection(imageID: 5, categoryID: 1, box: COCOBox(x: 0, y: 0, width: 1, height: 1), score: 1)
        XCTAssertThrowsError(try COCOEvaluator.evaluate([stray], groundTruth: truth)) { error in
            XCTAssertEqual("\(error)", "detections: [0]: image_id 5 is not an image of the ground truth")
        }
        XCTAssertThrowsError(try VOCEvaluation.evaluate([stray], groundTruth: truth))
    }
}
