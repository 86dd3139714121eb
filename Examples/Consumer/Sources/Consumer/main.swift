// The README's library examples, compiled outside the LiteDetect package: what an app can use.
import Foundation
import LiteDetect
import LiteDetectEvaluation
import LiteDetectModels

let path = CommandLine.arguments.dropFirst().first ?? "SampleImages/street.jpg"
do {
    let detector = try Detector(model: "ssd300-mobilenetv2-coco")  // load once; immutable, Sendable
    let session = detector.makeSession()  // one per thread
    let image = try ImageFile.load(path).image
    let result = try session.detect(image, options: DetectionOptions(scoreThreshold: 0.5))
    for detection in result.detections {
        print(detection.label, detection.score, detection.box)
    }
    // CI runs this on a photo with people in it: finding nothing means the package is broken as a
    // dependency (resources not found, wrong weights), not that the photo is empty.
    guard !result.detections.isEmpty else {
        FileHandle.standardError.write(Data("Consumer: no detections in \(path)\n".utf8))
        exit(1)
    }
    print(result.timing.inference / .milliseconds(1), "ms")
    print("bundled models:", ModelCatalog.bundled.names.joined(separator: ", "))
    print("COCO labels known to the evaluator:", CategoryMapping.torchvisionCOCOLabels.count)
} catch {
    FileHandle.standardError.write(Data("Consumer: \(error.localizedDescription)\n".utf8))
    exit(1)
}
