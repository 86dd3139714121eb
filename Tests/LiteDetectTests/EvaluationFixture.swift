import Foundation
import LiteDetect
import LiteDetectEvaluation
import XCTest

/// One set of `Fixtures/eval/<name>/`: COCO ground truth, COCO results, and what pycocotools'
/// COCOeval and podm's VOC metric computed from them (`Tools/reference/eval/make_eval_fixtures.py`).
struct EvaluationFixture {
    /// `expected.json`. Decoded with `JSONDecoder`, which parses numbers exactly.
    struct Expected: Decodable {
        struct CategoryPrecision: Decodable {
            var id: Int
            var AP: Double
            var AP50: Double
            var AP75: Double
        }
        struct VOC: Decodable {
            struct Category: Decodable {
                var id: Int
                var AP50: Double?
            }
            var ap50: Double
            var per_class: [Category]
        }
        var images: Int
        var detections: Int
        var iou_thresholds: [Double]
        var recall_thresholds: [Double]
        var area_ranges: [[Double]]
        var max_detections: [Int]
        var category_ids: [Int]
        var image_ids: [Int]
        var stats: [Double]
        var summary_lines: [String]
        var per_class: [CategoryPrecision]
        /// `[k][a][m]`: mean of `eval['precision'][:, :, k, a, m]` over entries > -1 (else -1).
        var precision_mean: [[[Double]]]
        /// `[k][a][m]`: mean of `eval['recall'][:, k, a, m]` over entries > -1 (else -1).
        var recall_mean: [[[Double]]]
        var voc: VOC
    }

    static let names = ["edge-cases", "random", "sample-images"]

    let name: String
    let folder: URL
    let groundTruth: COCOGroundTruth
    let detections: [COCODetection]
    let expected: Expected

    var annotationsPath: String { folder.appendingPathComponent("annotations.json").path }
    var resultsPath: String { folder.appendingPathComponent("results.json").path }

    static var root: URL {
        get throws { try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("eval") }
    }

    init(_ name: String) throws {
        self.name = name
        folder = try Self.root.appendingPathComponent(name)
        groundTruth = try COCOGroundTruth(contentsOf: folder.appendingPathComponent("annotations.json").path)
        detections = try COCODetection.load(contentsOf: folder.appendingPathComponent("results.json").path, for: groundTruth)
        expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
    }
}
