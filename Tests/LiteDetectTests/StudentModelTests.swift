import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// The bundled students (`ssdlite320-<backbone>-coco`, trained by `Tools/train`)
/// against torchvision running the same exported weights (`Tools/train/make_student_fixtures.py`):
/// the whole pipeline (decode, resize, network, box decoding, NMS, the COCO students' class ids) on
/// two or three photos gives the same detections. This checks that what we ship is what was trained, not how well it detects
/// (that is `docs/MODELS.md`).
final class StudentModelTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            var image: String
            var boxes: [[Float]]
            var scores: [Float]
            var labels: [Int]
        }
        var model: String
        var min_score: Float
        var cases: [Case]
    }

    private static let fixtureDirectory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("students")

    private var studentNames: [String] {
        ModelCatalog.bundled.names.filter { $0.hasPrefix("ssdlite320-") && $0.hasSuffix("-coco") }
    }

    func testEveryBundledStudentHasTrainedWeightsAndAFixture() throws {
        XCTAssertFalse(studentNames.isEmpty, "no bundled students found")
        for name in studentNames {
            let config = try ModelCatalog.bundled.config(named: name)
            XCTAssertNotNil(config.weights, "\(name) ships without weights")
            // COCO's ids and names for what it learnt, so its results compare with the teacher's.
            let teacher = try ModelCatalog.bundled.config(named: ModelCatalog.defaultModelName)
            let ids = try XCTUnwrap(config.classIDs, "\(name) has no class_ids")
            for (id, label) in zip(ids, config.labels).dropFirst() {
                XCTAssertEqual(teacher.labels[id], label, "\(name): class id \(id)")
            }
            let threshold = try XCTUnwrap(config.postprocess.detectThreshold, "\(name) has no operating point")
            XCTAssertTrue((0.05...0.95).contains(threshold), "\(name): detect_threshold \(threshold)")
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: Self.fixtureDirectory.appendingPathComponent("\(name).json").path),
                "\(name) has no torchvision fixture: run Tools/train/make_student_fixtures.py")
        }
    }

    /// `--backbone NAME` runs the best trained model on that backbone: the real model where there is
    /// one (COCO on MobileNetV2, VOC on MobileNetV1), else its COCO student, which every other
    /// backbone has (the person students beat them on people only on their own street, against
    /// their own teacher's labels, so they were retired: docs/MODELS.md).
    func testBackboneChoosesTheBestTrainedModel() throws {
        XCTAssertEqual(try ModelCatalog.bundledModel(for: .mobileNetV2).name, "ssd300-mobilenetv2-coco")
        XCTAssertEqual(try ModelCatalog.bundledModel(for: .mobileNetV1).name, "ssd300-mobilenetv1-voc")
        for backbone in BackboneName.allCases where backbone != .mobileNetV2 && backbone != .mobileNetV1 {
            XCTAssertEqual(try ModelCatalog.bundledModel(for: backbone).name, "ssdlite320-\(backbone.rawValue)-coco")
        }
    }

    func testStudentsMatchTorchvisionOnSamplePhotos() throws {
        for name in studentNames {
            let data = try Data(contentsOf: Self.fixtureDirectory.appendingPathComponent("\(name).json"))
            let fixture = try JSONDecoder().decode(Fixture.self, from: data)
            XCTAssertEqual(fixture.model, name)
            let session = try Detector(model: name).makeSession()
            for reference in fixture.cases {
                let image = try ImageFile.load(repositoryRoot.appendingPathComponent(reference.image).path).image
                let result = try session.detect(image, options: DetectionOptions(scoreThreshold: fixture.min_score))
                compare(result.detections, reference, minScore: fixture.min_score, context: "\(name) on \(reference.image)")
            }
        }
    }

    /// Same set of (label, box) with scores within 1e-4 and boxes within 0.05 px. A detection
    /// within 1e-3 of the score cut-off may fall on either side of it, so it is not required.
    private func compare(_ detections: [LabeledDetection], _ reference: Fixture.Case, minScore: Float, context: String) {
        var unmatched = Array(reference.scores.indices)
        for detection in detections {
            let box = [detection.box.x1, detection.box.y1, detection.box.x2, detection.box.y2]
            let match = unmatched.firstIndex { j in
                reference.labels[j] == detection.classID && zip(box, reference.boxes[j]).allSatisfy { abs($0 - $1) <= 0.05 }
            }
            guard let match else {
                if detection.score > minScore + 1e-3 { XCTFail("\(context): \(detection.score) \(box) has no torchvision counterpart") }
                continue
            }
            let j = unmatched.remove(at: match)
            XCTAssertEqual(detection.score, reference.scores[j], accuracy: 1e-4, "\(context): score of \(box)")
        }
        for j in unmatched where reference.scores[j] > minScore + 1e-3 {
            XCTFail("\(context): torchvision's \(reference.scores[j]) \(reference.boxes[j]) was not produced")
        }
        XCTAssertFalse(reference.scores.isEmpty, "\(context): the fixture should hold some detections")
    }
}
