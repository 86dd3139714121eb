import Foundation
import LiteDetect
import LiteDetectNN
import LiteDetectPostprocess
import XCTest

/// Comparisons shared by the tests of models converted from TensorFlow Object Detection API
/// graphs, against fixtures written by `Tools/reference/tensorflow/` (tensor names as there).
enum TensorFlowReference {
    /// The raw head outputs for the fixture's exact input, and the postprocessed detections, must
    /// match the graph's: raw outputs within `rawTolerance` of their largest magnitude, then the same
    /// number of detections, in the same order, of the same classes, scores within `scoreTolerance`
    /// and boxes within 0.5 px at 300×300.
    static func assertMatches(
        _ reference: [String: NamedTensors.Tensor], input: [Float], detector: Detector, session: DetectorSession,
        rawTolerance: Float, scoreTolerance: Float, context: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let network = session.networkSession
        network.input.base.update(from: input, count: input.count)
        network.run()
        let (boxes, logits) = try gatheredHeadOutputs(detector.detectionNetwork, network)
        XCTAssertLessThanOrEqual(
            relativeError(boxes, try XCTUnwrap(reference["box_encodings"]).values), rawTolerance, "\(context): box encodings", file: file, line: line)
        XCTAssertLessThanOrEqual(
            relativeError(logits, try XCTUnwrap(reference["class_predictions"]).values), rawTolerance, "\(context): class logits", file: file,
            line: line)

        var postprocessor = try DetectionPostprocessor(
            configuration: detector.postprocessConfiguration(DetectionOptions()), anchors: detector.anchors)
        var detections: [Detection] = []
        try postprocessor.process(boxRegressions: boxes, classLogits: logits, transform: .identity, into: &detections)
        let count = Int(try XCTUnwrap(reference["num_detections"]).values[0])
        XCTAssertEqual(detections.count, count, "\(context): number of detections", file: file, line: line)
        let tfBoxes = try XCTUnwrap(reference["detection_boxes"]).values, tfScores = try XCTUnwrap(reference["detection_scores"]).values
        let tfClasses = try XCTUnwrap(reference["detection_classes"]).values
        for (i, d) in detections.prefix(count).enumerated() {
            XCTAssertEqual(d.classID, Int(tfClasses[i]), "\(context) #\(i) class", file: file, line: line)
            XCTAssertEqual(d.score, tfScores[i], accuracy: scoreTolerance, "\(context) #\(i) score", file: file, line: line)
            let ours = [d.box.y1, d.box.x1, d.box.y2, d.box.x2]
            for k in 0..<4 {
                XCTAssertEqual(ours[k] * 300, tfBoxes[4 * i + k] * 300, accuracy: 0.5, "\(context) #\(i) box", file: file, line: line)
            }
        }
    }
}
