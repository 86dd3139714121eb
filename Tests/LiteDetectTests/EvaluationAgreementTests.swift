import Foundation
import LiteDetect
import LiteDetectEvaluation
import XCTest

/// COCO and VOC metrics against pycocotools' COCOeval and podm on the fixture sets: hand-written
/// edge cases, seeded random data, and the default model's detections on the sample photos.
final class EvaluationAgreementTests: XCTestCase {
    /// pycocotools' numbers are reproduced to float rounding (summation order aside), far inside the
    /// 1e-4 a user would notice.
    private let tolerance = 1e-9

    func testParameterGridsAreExactlyPycocotools() throws {
        let expected = try EvaluationFixture("edge-cases").expected
        XCTAssertEqual(COCOEvaluationParameters.iouThresholds, expected.iou_thresholds, "bit for bit: IoU 0.9 sits on 0.8999999999999999")
        XCTAssertEqual(COCOEvaluationParameters.recallThresholds, expected.recall_thresholds)
        XCTAssertEqual(COCOAreaRange.allCases.map { [$0.bounds.lowerBound, $0.bounds.upperBound] }, expected.area_ranges)
        XCTAssertEqual(COCOEvaluationParameters.maxDetections, expected.max_detections)
    }

    func testStatisticsAgreeWithPycocotools() throws {
        for name in EvaluationFixture.names {
            let fixture = try EvaluationFixture(name)
            let evaluation = try COCOEvaluator.evaluate(fixture.detections, groundTruth: fixture.groundTruth)
            XCTAssertEqual(fixture.detections.count, fixture.expected.detections, name)
            XCTAssertEqual(evaluation.imageIDs, fixture.expected.image_ids, name)
            XCTAssertEqual(evaluation.categoryIDs, fixture.expected.category_ids, name)
            let summary = evaluation.summary
            XCTAssertEqual(summary.metrics.map(\.name), ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"])
            for (index, (ours, theirs)) in zip(summary.values, fixture.expected.stats).enumerated() {
                XCTAssertEqual(ours, theirs, accuracy: tolerance, "\(name): stats[\(index)] \(summary.metrics[index].name)")
            }
            XCTAssertEqual(summary.metrics.map(\.pycocotoolsLine), fixture.expected.summary_lines, name)
        }
    }

    func testPerCategoryAveragePrecisionAgreesWithPycocotools() throws {
        for name in EvaluationFixture.names {
            let fixture = try EvaluationFixture(name)
            let evaluation = try COCOEvaluator.evaluate(fixture.detections, groundTruth: fixture.groundTruth)
            let categories = evaluation.categories
            XCTAssertEqual(categories.map(\.categoryID), fixture.expected.per_class.map(\.id), name)
            for (ours, theirs) in zip(categories, fixture.expected.per_class) {
                XCTAssertEqual(ours.averagePrecision, theirs.AP, accuracy: tolerance, "\(name): category \(theirs.id) AP")
                XCTAssertEqual(ours.averagePrecision50, theirs.AP50, accuracy: tolerance, "\(name): category \(theirs.id) AP50")
                XCTAssertEqual(ours.averagePrecision75, theirs.AP75, accuracy: tolerance, "\(name): category \(theirs.id) AP75")
            }
        }
    }

    /// Every (category, area range, detection limit) cell of `eval['precision']` and
    /// `eval['recall']`, averaged over IoU thresholds (and recall points): pins a disagreement down
    /// to its setting.
    func testEveryCategoryAreaAndLimitAgreesWithPycocotools() throws {
        for name in EvaluationFixture.names {
            let fixture = try EvaluationFixture(name)
            let evaluation = try COCOEvaluator.evaluate(fixture.detections, groundTruth: fixture.groundTruth)
            for k in evaluation.categoryIDs.indices {
                for area in COCOAreaRange.allCases {
                    for m in COCOEvaluationParameters.maxDetections.indices {
                        let setting =
                            "\(name): category \(evaluation.categoryIDs[k]), area \(area.label), maxDets \(COCOEvaluationParameters.maxDetections[m])"
                        XCTAssertEqual(
                            evaluation.meanPrecision(category: k, area: area, maxDetectionsIndex: m),
                            fixture.expected.precision_mean[k][area.rawValue][m], accuracy: tolerance, "\(setting): precision")
                        XCTAssertEqual(
                            evaluation.meanRecall(category: k, area: area, maxDetectionsIndex: m),
                            fixture.expected.recall_mean[k][area.rawValue][m], accuracy: tolerance, "\(setting): recall")
                    }
                }
            }
        }
    }

    func testVOCAveragePrecisionAgreesWithPodm() throws {
        for name in EvaluationFixture.names {
            let fixture = try EvaluationFixture(name)
            let voc = try VOCEvaluation.evaluate(fixture.detections, groundTruth: fixture.groundTruth)
            XCTAssertEqual(voc.categoryIDs, fixture.expected.voc.per_class.map(\.id), name)
            for (ours, theirs) in zip(voc.averagePrecision, fixture.expected.voc.per_class) {
                XCTAssertEqual(ours == nil, theirs.AP50 == nil, "\(name): category \(theirs.id) has ground truth in one and not the other")
                if let ours, let expected = theirs.AP50 {
                    XCTAssertEqual(ours, expected, accuracy: tolerance, "\(name): category \(theirs.id) VOC AP50")
                }
            }
            XCTAssertEqual(voc.meanAveragePrecision, fixture.expected.voc.ap50, accuracy: tolerance, name)
        }
    }

    /// The edge cases hold exact score ties whose order pycocotools fixes (results-file order in an
    /// image, image id across images). Ranking them any other way must move the numbers, or the
    /// agreement above would prove nothing about ties.
    func testTieOrderIsExercisedByTheEdgeCases() throws {
        let fixture = try EvaluationFixture("edge-cases")
        let reordered = try COCOEvaluator.evaluate(fixture.detections.reversed(), groundTruth: fixture.groundTruth)
        let largest = zip(reordered.summary.values, fixture.expected.stats).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(largest, 1e-3, "reversing the results file reorders ties; pycocotools' stats must then differ")
    }

    func testDetectionsOfUnknownCategoriesAreIgnoredAndCounted() throws {
        let fixture = try EvaluationFixture("edge-cases")
        // The fixture has one detection of category 99, which its annotations do not list.
        XCTAssertEqual(fixture.detections.filter { $0.categoryID == 99 }.count, 1)
        let evaluation = try COCOEvaluator.evaluate(fixture.detections, groundTruth: fixture.groundTruth)
        XCTAssertEqual(evaluation.ignoredDetections, 1)
    }

    /// pycocotools' `loadRes` cannot take an empty results list; by its definitions every setting
    /// with ground truth then has precision and recall 0, and the rest stay -1.
    func testNoDetectionsScoreZeroWhereThereIsGroundTruth() throws {
        let fixture = try EvaluationFixture("edge-cases")
        let evaluation = try COCOEvaluator.evaluate([], groundTruth: fixture.groundTruth)
        // Every area range of the edge cases has ground truth.
        XCTAssertEqual(evaluation.summary.values, [Double](repeating: 0, count: 12))
        XCTAssertEqual(evaluation.categories.map(\.averagePrecision), fixture.expected.per_class.map { $0.AP < 0 ? -1 : 0 })
        XCTAssertEqual(try VOCEvaluation.evaluate([], groundTruth: fixture.groundTruth).meanAveragePrecision, 0)
    }

    /// Sanity: the fixtures are not degenerate (a silently empty evaluation would agree with -1s).
    func testFixturesHaveMeaningfulScores() throws {
        for name in EvaluationFixture.names {
            let expected = try EvaluationFixture(name).expected
            XCTAssertGreaterThan(expected.stats[0], 0.05, name)
            XCTAssertLessThan(expected.stats[0], 0.95, name)
        }
    }
}
