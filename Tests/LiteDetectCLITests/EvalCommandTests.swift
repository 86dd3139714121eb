import Foundation
import XCTest

/// `detect eval` end to end, against pycocotools' numbers stored with the library's fixtures
/// (`Tests/LiteDetectTests/Fixtures/eval`, written by `Tools/reference/eval/make_eval_fixtures.py`).
final class EvalCommandTests: XCTestCase {
    private static let fixtures = repositoryRoot.appendingPathComponent("Tests/LiteDetectTests/Fixtures/eval")
    private static let statisticNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]

    private var workDirectory: URL!

    override func setUpWithError() throws {
        workDirectory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDirectory)
    }

    private func path(_ set: String, _ file: String) -> String {
        Self.fixtures.appendingPathComponent(set).appendingPathComponent(file).path
    }

    /// pycocotools' and podm's numbers for a fixture set.
    private func expected(_ set: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(set, "expected.json")))) as? [String: Any])
    }

    private func runJSON(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let result = try CommandRunner.run(arguments)
        XCTAssertEqual(result.status, 0, result.standardError, file: file, line: line)
        return try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], result.standardOutput, file: file, line: line)
    }

    /// The JSON fields against pycocotools' stats and per-class AP, and podm's VOC AP50.
    private func assertMatchesReference(_ output: [String: Any], set: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try expected(set)
        let stats = try XCTUnwrap(reference["stats"] as? [Double])
        for (name, value) in zip(Self.statisticNames, stats) {
            let ours = try XCTUnwrap(output[name] as? Double, "missing \(name)", file: file, line: line)
            XCTAssertEqual(ours, value, accuracy: 1e-9, "\(set): \(name)", file: file, line: line)
        }
        let perClass = try XCTUnwrap(output["per_class"] as? [[String: Any]], file: file, line: line)
        let referenceClasses = try XCTUnwrap(reference["per_class"] as? [[String: Any]])
        XCTAssertEqual(perClass.map { $0["id"] as? Int }, referenceClasses.map { $0["id"] as? Int }, file: file, line: line)
        for (ours, theirs) in zip(perClass, referenceClasses) {
            for key in ["AP", "AP50", "AP75"] {
                XCTAssertEqual(
                    try XCTUnwrap(ours[key] as? Double), try XCTUnwrap(theirs[key] as? Double), accuracy: 1e-9,
                    "\(set): category \(theirs["id"]!) \(key)", file: file, line: line)
            }
            XCTAssertNotNil(ours["name"] as? String, file: file, line: line)
        }
        let voc = try XCTUnwrap(reference["voc"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(output["voc_ap50"] as? Double), try XCTUnwrap(voc["ap50"] as? Double), accuracy: 1e-9, file: file, line: line)
        XCTAssertEqual(output["images"] as? Int, reference["images"] as? Int, file: file, line: line)
        XCTAssertEqual(output["detections"] as? Int, reference["detections"] as? Int, file: file, line: line)
    }

    func testScoringAResultsFilePrintsPycocotoolsNumbersAsJSON() throws {
        let output = try runJSON([
            "eval", "--annotations", path("edge-cases", "annotations.json"),
            "--detections", path("edge-cases", "results.json"), "--format", "json",
        ])
        try assertMatchesReference(output, set: "edge-cases")
        XCTAssertEqual(output["ignored_detections"] as? Int, 1, "the fixture's one detection of category 99, which the annotations lack")
        XCTAssertEqual(output["detections_file"] as? String, path("edge-cases", "results.json"))
        let perClass = try XCTUnwrap(output["per_class"] as? [[String: Any]])
        XCTAssertEqual(perClass.map { $0["name"] as? String }, ["car", "person", "kite", "dog", "boat"], "ascending category id")
        XCTAssertTrue(perClass[2]["voc_AP50"] is NSNull, "kite has no ground truth: null, not a number")
    }

    func testTextOutputHasPycocotoolsSummaryLines() throws {
        let result = try CommandRunner.run([
            "eval", "--annotations", path("random", "annotations.json"), "--detections", path("random", "results.json"),
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = try XCTUnwrap(expected("random")["summary_lines"] as? [String])
        for line in lines { XCTAssertTrue(result.standardOutput.contains(line + "\n"), "missing '\(line)' in:\n\(result.standardOutput)") }
        XCTAssertTrue(result.standardOutput.contains("VOC AP50"), result.standardOutput)
    }

    /// The person model on the sample photos, run and scored in one go: the detections are those
    /// stored in the fixture (written by this command's --save-detections), so the numbers are
    /// pycocotools' on them.
    func testRunningTheDefaultModelOnTheSamplePhotos() throws {
        let saved = workDirectory.appendingPathComponent("detections.json").path
        let output = try runJSON([
            "eval", "--model", "ssdlite300-mobilenetv2-person", "--annotations", path("sample-images", "annotations.json"),
            "--images", repositoryRoot.appendingPathComponent("SampleImages").path,
            "--format", "json", "--save-detections", saved,
        ])
        try assertMatchesReference(output, set: "sample-images")
        XCTAssertEqual(output["model"] as? String, "ssdlite300-mobilenetv2-person")
        XCTAssertEqual(output["category_mapping"] as? String, "by name")
        // The saved file evaluates to the same numbers.
        let rescored = try runJSON(["eval", "--annotations", path("sample-images", "annotations.json"), "--detections", saved, "--format", "json"])
        for name in Self.statisticNames + ["voc_ap50"] { XCTAssertEqual(rescored[name] as? Double, output[name] as? Double, name) }
    }

    func testABadAnnotationsFileIsAClearErrorNamingIt() throws {
        let broken = workDirectory.appendingPathComponent("instances.json")
        try Data(
            #"{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "iscrowd": 0}], "categories": [{"id": 1, "name": "person"}]}"#
                .utf8
        )
        .write(to: broken)
        let result = try CommandRunner.run(["eval", "--annotations", broken.path, "--detections", path("edge-cases", "results.json")])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.standardError, "detect: \(broken.path): annotations[0] (id 5): missing 'area'\n")
        XCTAssertEqual(result.standardOutput, "")

        try Data("{\"images\": [\n".utf8).write(to: broken)
        let truncated = try CommandRunner.run(["eval", "--annotations", broken.path, "--detections", path("edge-cases", "results.json")])
        XCTAssertEqual(truncated.status, 1)
        XCTAssertEqual(
            truncated.standardError, "detect: \(broken.path): not valid JSON (line 2, column 1, in images[0]): unexpected end of the document\n")
    }

    func testResultsForAnotherAnnotationFileAreRefused() throws {
        let result = try CommandRunner.run([
            "eval", "--annotations", path("sample-images", "annotations.json"), "--detections", path("random", "results.json"),
        ])
        XCTAssertEqual(result.status, 1)
        // The random set's images 1…5 exist in the sample-photo annotations too; its first detection on image 6 does not.
        XCTAssertTrue(result.standardError.hasPrefix("detect: \(path("random", "results.json")): ["), result.standardError)
        XCTAssertTrue(result.standardError.contains("]: image_id 6 is not an image of the annotations"), result.standardError)
    }

    func testMissingImagesAreNamedBeforeAnythingRuns() throws {
        let result = try CommandRunner.run(["eval", "--annotations", path("edge-cases", "annotations.json"), "--images", workDirectory.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.standardError.contains("7 of the 7 images of \(path("edge-cases", "annotations.json")) are not in \(workDirectory.path)"),
            result.standardError)
        XCTAssertTrue(result.standardError.contains("and 2 more"), result.standardError)
    }

    func testAModelWhoseClassesMatchNoCategoryIsRefused() throws {
        // The person model against annotations without a "person" category.
        let annotations = workDirectory.appendingPathComponent("cats.json")
        try Data(#"{"images": [{"id": 1, "file_name": "chelsea.png"}], "annotations": [], "categories": [{"id": 17, "name": "cat"}]}"#.utf8).write(
            to: annotations)
        let result = try CommandRunner.run([
            "eval", "--model", "ssdlite300-mobilenetv2-person", "--annotations", annotations.path,
            "--images", repositoryRoot.appendingPathComponent("SampleImages").path,
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.standardError.contains("classes (person) match none of the categories"), result.standardError)
    }

    func testOptionsThatDoNotFitTogetherAreRefused() throws {
        let neither = try CommandRunner.run(["eval", "--annotations", path("edge-cases", "annotations.json")])
        XCTAssertNotEqual(neither.status, 0)
        XCTAssertTrue(neither.standardError.contains("give --images DIR"), neither.standardError)
        let modelWithFile = try CommandRunner.run([
            "eval", "--annotations", path("edge-cases", "annotations.json"), "--detections", path("edge-cases", "results.json"), "--model", "x",
        ])
        XCTAssertNotEqual(modelWithFile.status, 0)
        XCTAssertTrue(modelWithFile.standardError.contains("go with --images"), modelWithFile.standardError)
    }
}
