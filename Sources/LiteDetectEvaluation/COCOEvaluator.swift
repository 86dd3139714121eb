/// Box detection evaluation that reproduces pycocotools' `COCOeval(iouType="bbox")`:
/// `evaluate()`, `accumulate()` and `summarize()` with the default parameters.
///
/// Rules kept from pycocotools, which decide exact numbers:
/// - images and categories in ascending id order; every listed category is evaluated, and one
///   without ground truth gets precision -1 (left out of every mean);
/// - per image and category, detections sorted by descending score, ties in results-file order,
///   and only the first 100 kept;
/// - the ranking over all images sorts the images' detections (in image id order) by descending
///   score with a stable sort, so exact ties between images go to the lower image id;
/// - detections of categories the annotations lack are ignored.
public enum COCOEvaluator {
    public static func evaluate(_ detections: [COCODetection], groundTruth: COCOGroundTruth) throws(EvaluationError) -> COCOEvaluation {
        let imageIDs = groundTruth.images.map(\.id).sorted()
        let categoryIDs = groundTruth.categories.map(\.id).sorted()
        let imageIndex = Dictionary(uniqueKeysWithValues: imageIDs.enumerated().map { ($1, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: categoryIDs.enumerated().map { ($1, $0) })
        let imageCount = imageIDs.count

        // Ground truth and detections of each (category, image) cell, in file order.
        var groundTruthCells: [Int: [Int]] = [:]
        for (index, annotation) in groundTruth.annotations.enumerated() {
            guard let k = categoryIndex[annotation.categoryID], let i = imageIndex[annotation.imageID] else { continue }
            groundTruthCells[k * imageCount + i, default: []].append(index)
        }
        var detectionCells: [Int: [Int]] = [:]
        var ignoredDetections = 0
        for (index, detection) in detections.enumerated() {
            guard let i = imageIndex[detection.imageID] else {
                throw .invalidEntry(
                    file: "detections", entry: "[\(index)]", problem: "image_id \(detection.imageID) is not an image of the ground truth")
            }
            guard let k = categoryIndex[detection.categoryID] else {
                ignoredDetections += 1
                continue
            }
            detectionCells[k * imageCount + i, default: []].append(index)
        }

        // evaluate(): per category and area range, the images that have ground truth or detections.
        let maxDetections = COCOEvaluationParameters.maxDetections.last!
        var imageEvaluations = [[[COCOImageEvaluation]]](
            repeating: [[COCOImageEvaluation]](repeating: [], count: COCOAreaRange.allCases.count), count: categoryIDs.count)
        let occupiedCells = Set(groundTruthCells.keys).union(detectionCells.keys).sorted()
        for cell in occupiedCells {
            let truths = (groundTruthCells[cell] ?? []).map { groundTruth.annotations[$0] }
            // Stable: equal scores keep the results file's order.
            let kept = (detectionCells[cell] ?? [])
                .sorted { detections[$0].score != detections[$1].score ? detections[$0].score > detections[$1].score : $0 < $1 }
                .prefix(maxDetections).map { detections[$0] }
            var overlaps = [Double](repeating: 0, count: kept.count * truths.count)
            for (d, detection) in kept.enumerated() {
                for (g, truth) in truths.enumerated() {
                    overlaps[d * truths.count + g] = detection.box.overlap(with: truth.box, groundTruthIsCrowd: truth.isCrowd)
                }
            }
            for range in COCOAreaRange.allCases {
                imageEvaluations[cell / imageCount][range.rawValue].append(
                    COCOImageEvaluation(
                        scores: kept.map(\.score), detectionAreas: kept.map(\.box.area),
                        groundTruths: truths.map { (area: $0.area, isCrowd: $0.isCrowd) }, overlaps: overlaps, area: range.bounds))
            }
        }

        var evaluation = COCOEvaluation(imageIDs: imageIDs, categoryIDs: categoryIDs, ignoredDetections: ignoredDetections)
        for k in categoryIDs.indices {
            for range in COCOAreaRange.allCases {
                accumulate(imageEvaluations[k][range.rawValue], category: k, area: range, into: &evaluation)
            }
        }
        return evaluation
    }

    /// pycocotools' `accumulate()` for one category and area range: the interpolated precision at
    /// each recall point and the final recall, for every IoU threshold and detection limit.
    /// Leaves -1 where the images hold no ground truth that counts.
    private static func accumulate(
        _ images: [COCOImageEvaluation], category k: Int, area: COCOAreaRange, into evaluation: inout COCOEvaluation
    ) {
        guard !images.isEmpty else { return }
        let positives = images.reduce(0) { $0 + $1.positives }
        guard positives > 0 else { return }
        let recallThresholds = COCOEvaluationParameters.recallThresholds
        for (m, maxDetections) in COCOEvaluationParameters.maxDetections.enumerated() {
            // Each image's best `maxDetections`, concatenated in image order, then stably sorted
            // by descending score (numpy's mergesort on -score).
            var ranked: [(score: Double, image: Int, detection: Int)] = []
            for (e, image) in images.enumerated() {
                for d in 0..<min(maxDetections, image.scores.count) { ranked.append((image.scores[d], e, d)) }
            }
            ranked.sort { $0.score != $1.score ? $0.score > $1.score : ($0.image, $0.detection) < ($1.image, $1.detection) }

            var recall = [Double](repeating: 0, count: ranked.count)
            var precision = recall
            for t in COCOEvaluationParameters.iouThresholds.indices {
                var truePositives = 0.0, falsePositives = 0.0
                for (n, entry) in ranked.enumerated() {
                    let image = images[entry.image]
                    let index = t * image.scores.count + entry.detection
                    if !image.ignored[index] {
                        if image.matched[index] { truePositives += 1 } else { falsePositives += 1 }
                    }
                    recall[n] = truePositives / Double(positives)
                    // np.spacing(1): keeps 0/0 at the start of the ranking at 0.
                    precision[n] = truePositives / (falsePositives + truePositives + Double.ulpOfOne)
                }
                evaluation.setRecall(ranked.isEmpty ? 0 : recall[ranked.count - 1], iou: t, category: k, area: area, maxDetectionsIndex: m)
                // The precision envelope: the best precision at this recall or any higher one.
                for n in stride(from: ranked.count - 1, to: 0, by: -1) where precision[n] > precision[n - 1] {
                    precision[n - 1] = precision[n]
                }
                // At each recall point, the envelope at the first rank reaching it (numpy's
                // searchsorted, side "left"); 0 beyond the last recall reached.
                var n = 0
                for (r, threshold) in recallThresholds.enumerated() {
                    while n < ranked.count && recall[n] < threshold { n += 1 }
                    evaluation.setPrecision(n < ranked.count ? precision[n] : 0, iou: t, recall: r, category: k, area: area, maxDetectionsIndex: m)
                }
            }
        }
    }
}
