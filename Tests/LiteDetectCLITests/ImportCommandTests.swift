import Foundation
import LiteDetectTestSupport
import XCTest

/// `detect import` end to end, and the multi-class models through the command: what a user types,
/// what comes back.
final class ImportCommandTests: XCTestCase {
    private var workDirectory: URL!
    private let personGraph = repositoryRoot.appendingPathComponent("Tests/LiteDetectTests/Fixtures/tf-person/frozen_inference_graph.pb").path
    private let dogJPEG = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg").path

    override func setUpWithError() throws {
        workDirectory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDirectory)
    }

    func testImportedGraphRunsAndMatchesTheBundledModel() throws {
        let labels = workDirectory.appendingPathComponent("labels.txt")
        try Data("# one class\nbackground\nperson\n".utf8).write(to: labels)
        let imported = try CommandRunner.run([
            "import", personGraph, "--name", "people", "--labels", labels.path, "--output", workDirectory.path,
        ])
        XCTAssertEqual(imported.status, 0, imported.standardError)
        XCTAssertTrue(imported.standardOutput.contains("checked: 88 convolutions"), imported.standardOutput)
        let config = workDirectory.appendingPathComponent("people.json").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("people.safetensors").path))

        // The imported model gives the bundled person model's detections on a photo.
        let street = repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path
        func detections(_ model: String) throws -> [String] {
            let result = try CommandRunner.run([street, "--model", model, "--format", "csv", "--no-draw"])
            XCTAssertEqual(result.status, 0, result.standardError)
            return result.standardOutput.split(separator: "\n").dropFirst().map { String($0) }
        }
        let ours = try detections(config), bundled = try detections("ssdlite300-mobilenetv2-person")
        XCTAssertFalse(ours.isEmpty)
        XCTAssertEqual(ours, bundled)

        // Nothing is overwritten unless asked.
        let again = try CommandRunner.run(["import", personGraph, "--name", "people", "--labels", labels.path, "--output", workDirectory.path])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.standardError.contains("pass --overwrite"), again.standardError)
    }

    func testImportErrorsNameTheFile() throws {
        let broken = workDirectory.appendingPathComponent("broken.pb")
        try Data(repeating: 0xFF, count: 64).write(to: broken)
        let result = try CommandRunner.run(["import", broken.path, "--name", "x", "--labels", "coco", "--output", workDirectory.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains(broken.path), result.standardError)
        let unknownLabels = try CommandRunner.run(["import", personGraph, "--name", "x", "--labels", "imagenet", "--output", workDirectory.path])
        XCTAssertNotEqual(unknownLabels.status, 0)
        XCTAssertTrue(unknownLabels.standardError.contains("imagenet"), unknownLabels.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("x.json").path))
    }

    /// `--classes` by name on both multi-class models, and the default model's label set.
    func testClassesByNameOnEveryRealModel() throws {
        for (model, expected) in [("ssd300-mobilenetv2-coco", Set(["car", "dog"])), ("ssd300-mobilenetv1-voc", Set(["car", "dog"]))] {
            let result = try CommandRunner.run([dogJPEG, "--model", model, "--classes", "car,dog", "--format", "json", "--no-draw"])
            XCTAssertEqual(result.status, 0, result.standardError)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            let labels = try XCTUnwrap(object["detections"] as? [[String: Any]]).compactMap { $0["label"] as? String }
            XCTAssertEqual(Set(labels), expected, model)
        }
        let unknown = try CommandRunner.run([dogJPEG, "--classes", "giraffe,unicorn", "--no-draw"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.standardError.contains("unicorn") && unknown.standardError.contains("toothbrush"), unknown.standardError)
    }

    func testDefaultModelIsTheCOCODetector() throws {
        let result = try CommandRunner.run([dogJPEG, "--format", "json", "--no-draw"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["model"] as? String, "ssd300-mobilenetv2-coco")
        let labels = try XCTUnwrap(object["detections"] as? [[String: Any]]).compactMap { $0["label"] as? String }
        XCTAssertTrue(Set(labels).isSuperset(of: ["bicycle", "dog", "car"]), "\(labels)")
    }
}
