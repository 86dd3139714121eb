/// PASCAL VOC style average precision at one IoU threshold (0.5 by default): the VOC 2010+
/// definition, the area under the precision envelope over every recall step (all-point
/// interpolation, not the 2007 eleven points), per category.
///
/// Crowd annotations are left out of the ground truth altogether (a detection on one is a false
/// positive), as "non-crowd" VOC-style AP on COCO data is usually computed. For each category,
/// all detections (no per-image limit) are ranked by descending score, ties in results-file
/// order; each takes the ground truth of its image it overlaps most (first one on equal IoU) and is
/// a true positive when that overlap reaches the threshold and the ground truth is not taken yet,
/// else a false positive.
public struct VOCEvaluation: Sendable {
    /// Ascending.
    public let categoryIDs: [Int]
    /// Per category of `categoryIDs`; `nil` without non-crowd ground truth.
    public let averagePrecision: [Double?]

    /// Mean over the categories that have ground truth; -1 when none has.
    public var meanAveragePrecision: Double {
        let values = averagePrecision.compactMap { $0 }
        return values.isEmpty ? -1 : values.reduce(0, +) / Double(values.count)
    }

    public static func evaluate(
        _ detections: [COCODetection], groundTruth: COCOGroundTruth, iouThreshold: Double = 0.5
    ) throws(EvaluationError) -> VOCEvaluation {
        let imageIDs = Set(groundTruth.images.map(\.id))
        let categoryIDs = groundTruth.categories.map(\.id).sorted()
        for (index, detection) in detections.enumerated() where !imageIDs.contains(detection.imageID) {
            throw .invalidEntry(file: "detections", entry: "[\(index)]", problem: "image_id \(detection.imageID) is not an image of the ground truth")
        }
        var averagePrecision: [Double?] = []
        for categoryID in categoryIDs {
            // Ground truth per image, in file order; `taken` marks matched ones.
            var truths: [Int: [COCOBox]] = [:]
            var positives = 0
            for annotation in groundTruth.annotations where annotation.categoryID == categoryID && !annotation.isCrowd {
                truths[annotation.imageID, default: []].append(annotation.box)
                positives += 1
            }
            guard positives > 0 else {
                averagePrecision.append(nil)
                continue
            }
            var taken = truths.mapValues { [Bool](repeating: false, count: $0.count) }
            let ranked = detections.indices.filter { detections[$0].categoryID == categoryID }
                .sorted { detections[$0].score != detections[$1].score ? detections[$0].score > detections[$1].score : $0 < $1 }
            var truePositives = 0.0, falsePositives = 0.0
            var recall: [Double] = [], precision: [Double] = []
            for index in ranked {
                let detection = detections[index]
                var bestOverlap = 0.0, best: Int? = nil
                for (g, truth) in (truths[detection.imageID] ?? []).enumerated() {
                    let overlap = detection.box.overlap(with: truth, groundTruthIsCrowd: false)
                    if overlap > bestOverlap {
                        bestOverlap = overlap
                        best = g
                    }
                }
                if let best, bestOverlap >= iouThreshold, !taken[detection.imageID]![best] {
                    taken[detection.imageID]![best] = true
                    truePositives += 1
                } else {
                    falsePositives += 1
                }
                recall.append(truePositives / Double(positives))
                precision.append(truePositives / (truePositives + falsePositives))
            }
            averagePrecision.append(areaUnderEnvelope(recall: recall, precision: precision))
        }
        return VOCEvaluation(categoryIDs: categoryIDs, averagePrecision: averagePrecision)
    }

    /// The VOC 2010+ devkit's `VOCap`: pad recall with 0 and 1 and precision with 0 and 0, make
    /// precision non-increasing from the right, and sum the precision times each recall step.
    static func areaUnderEnvelope(recall: [Double], precision: [Double]) -> Double {
        let recall = [0] + recall + [1]
        var precision = [0] + precision + [0]
        for i in stride(from: precision.count - 1, to: 0, by: -1) { precision[i - 1] = max(precision[i - 1], precision[i]) }
        var area = 0.0
        for i in 1..<recall.count where recall[i] != recall[i - 1] {
            area += (recall[i] - recall[i - 1]) * precision[i]
        }
        return area
    }
}
