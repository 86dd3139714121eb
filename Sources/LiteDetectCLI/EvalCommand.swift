import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectEvaluation
import LiteDetectJSONOutput
import LiteDetectModels

/// `detect eval`: COCO-style accuracy of a model on an annotated image folder, or of any tool's COCO
/// results file; the numbers are pycocotools' (`COCOeval`, iouType "bbox").
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "COCO mAP (as pycocotools computes it) of a model on annotated images, or of a COCO results file.",
        discussion: """
            Examples:
              detect eval --annotations people.json --images photos/
              detect eval --annotations instances_val2017.json --images val2017/ \\
                  --model ssdlite320-mobilenetv3-large --weights trained.safetensors
              detect eval --annotations instances_val2017.json --detections results.json

            Prints pycocotools' 12 summary lines (AP at IoU 0.50:0.95, 0.50 and 0.75 and by object size; AR at 1, 10 and 100 detections per image and by size), then per class AP, AP50, AP75 and VOC-style AP50 (PASCAL VOC 2010+ all-point interpolation, crowd regions left out).

            Each annotated image is found by its file_name inside --images. Model classes map to the file's categories by id for torchvision's 91 COCO labels, by name otherwise; classes without a category are dropped, and said so. --detections scores a COCO results file from any tool.
            """
    )

    @Option(help: ArgumentHelp("COCO annotations (ground truth): images, annotations, categories.", valueName: "file"))
    var annotations: String

    @Option(help: ArgumentHelp("Folder with the annotated images: run the model on them, then evaluate.", valueName: "dir"))
    var images: String?

    @Option(help: ArgumentHelp("A COCO results file (image_id, category_id, bbox, score) to evaluate instead of running a model.", valueName: "file"))
    var detections: String?

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("Keep detections scoring above this: COCO evaluation wants nearly all of them.", valueName: "score"))
    var scoreThreshold: Float = 0.001

    @Option(help: ArgumentHelp("NMS IoU threshold (default: the model config's).", valueName: "iou"))
    var iouThreshold: Double?

    @Option(help: ArgumentHelp("At most this many detections per image (COCO scores the best 100).", valueName: "n"))
    var maxDetections: Int = 100

    @Option(help: ArgumentHelp("Also write the model's detections as a COCO results file (for pycocotools or another run).", valueName: "file"))
    var saveDetections: String?

    @Option(help: ArgumentHelp("What goes to standard output.", valueName: "text|json"))
    var format: EvalOutputFormat = .text

    @Option(help: ArgumentHelp("Images processed in parallel, each thread with its own session.", valueName: "n"))
    var threads: Int = 1

    @Option(help: ArgumentHelp("Refuse images with more pixels than this (checked before decoding).", valueName: "pixels"))
    var maxPixels: Int = 100_000_000

    func validate() throws {
        switch (images, detections) {
        case (nil, nil): throw ValidationError("give --images DIR (run a model) or --detections FILE (score a COCO results file)")
        case (.some, .some): throw ValidationError("give either --images or --detections, not both")
        case (nil, .some):
            if model.model != nil || model.backbone != nil || model.weights != nil || model.randomWeights || saveDetections != nil {
                throw ValidationError("--model, --backbone, --weights, --random-weights and --save-detections go with --images, not --detections")
            }
        case (.some, nil): break
        }
        try OptionBounds.checkUnit(scoreThreshold, flag: "--score-threshold")
        try OptionBounds.checkUnit(iouThreshold, flag: "--iou-threshold")
        try OptionBounds.check(maxDetections, in: OptionBounds.detections, flag: "--max-detections")
        try OptionBounds.check(threads, in: OptionBounds.threads, flag: "--threads")
        try OptionBounds.check(maxPixels, in: OptionBounds.pixels, flag: "--max-pixels")
    }

    func run() throws {
        do {
            try evaluate()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Terminal.standardError("detect: \(error)")
            throw ExitCode(1)
        }
    }

    private func evaluate() throws {
        let groundTruth = try COCOGroundTruth(contentsOf: annotations)
        let scored: ScoredDetections
        if let detections {
            let loaded = try COCODetection.load(contentsOf: detections, for: groundTruth)
            scored = ScoredDetections(detections: loaded, source: .file(detections))
        } else {
            scored = try detect(in: images!, groundTruth: groundTruth)
        }
        let report = try EvaluationReport(detections: scored.detections, groundTruth: groundTruth)
        if report.coco.ignoredDetections > 0, case .file = scored.source {
            let known = Set(groundTruth.categories.map(\.id))
            let unknown = Set(scored.detections.map(\.categoryID)).subtracting(known).sorted()
            let count = report.coco.ignoredDetections
            Terminal.standardError(
                "detect: \(count) detection\(count == 1 ? " has a category id" : "s have category ids") the annotations lack "
                    + "(\(Self.list(unknown.map(String.init)))): ignored, as pycocotools does")
        }
        switch format {
        case .text: Terminal.standardOutput(text(report, scored: scored))
        case .json: Terminal.standardOutput(json(report, scored: scored) + "\n")
        }
    }

    // MARK: Running the model

    /// The detections to score and where they came from.
    private struct ScoredDetections {
        enum Source {
            case file(String)
            case model(Detector, mapping: CategoryMapping)
        }
        var detections: [COCODetection]
        var source: Source
        /// Detections of model classes without a category.
        var unmatched = 0
    }

    private func detect(in directory: String, groundTruth: COCOGroundTruth) throws -> ScoredDetections {
        let detector = try model.loadDetector()
        let config = detector.config
        let mapping = CategoryMapping(config: config, categories: groundTruth.categories)
        guard !mapping.categoryIDs.isEmpty else {
            let labels = config.classNames
            throw CommandFailure(
                "model \(config.name)'s classes (\(Self.list(labels))) match none of the categories of \(annotations) "
                    + "(\(Self.list(groundTruth.categories.map(\.name)))) \(mapping.rule.rawValue)")
        }
        if !mapping.unmatchedLabels.isEmpty {
            Terminal.standardError(
                "detect: \(mapping.unmatchedLabels.count) of the model's classes have no category in \(annotations) "
                    + "(\(Self.list(mapping.unmatchedLabels))); their detections are dropped")
        }
        if detector.isRandomlyInitialised {
            Terminal.standardError("detect: model \(config.name) runs with RANDOM weights: its detections are noise (plumbing/speed check)")
        }

        // Every annotated image must be there: a missing one would count as all misses.
        let paths = groundTruth.images.map { URL(fileURLWithPath: directory).appendingPathComponent($0.fileName).path }
        let missing = paths.filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else {
            throw CommandFailure("\(missing.count) of the \(paths.count) images of \(annotations) are not in \(directory): \(Self.list(missing))")
        }

        let options = DetectionOptions(scoreThreshold: scoreThreshold, iouThreshold: iouThreshold, maxDetections: maxDetections)
        var scored = ScoredDetections(detections: [], source: .model(detector, mapping: mapping))
        var failures: [String] = []
        let progress = ProgressBar(total: paths.count, enabled: paths.count > 1 && Terminal.standardErrorIsTerminal)
        _ = ParallelImageRunner(detector: detector, options: options, maxPixels: maxPixels, threads: threads).run(paths) { index, outcome in
            // In input order, one at a time.
            progress.advance(to: index + 1, item: groundTruth.images[index].fileName)
            switch outcome {
            case let .success(processed):
                let image = groundTruth.images[index]
                let result = processed.result
                if let width = image.width, let height = image.height, width != result.imageWidth || height != result.imageHeight {
                    progress.clear()
                    Terminal.standardError(
                        "detect: warning: \(processed.path) is \(result.imageWidth)×\(result.imageHeight), "
                            + "the annotations say \(width)×\(height): its boxes will not line up")
                }
                let converted = mapping.cocoDetections(result.detections, imageID: image.id)
                scored.unmatched += result.detections.count - converted.count
                scored.detections += converted
            case let .failure(failure):
                progress.clear()
                Terminal.standardError("detect: \(failure)")
                failures.append(failure.path)
            }
        }
        progress.finish()
        guard failures.isEmpty else {
            throw CommandFailure(
                "\(failures.count) image\(failures.count == 1 ? "" : "s") could not be processed; an evaluation without them would be wrong")
        }
        if let saveDetections {
            do {
                try Data((JSONText.array(scored.detections.map(Self.json)) + "\n").utf8).write(
                    to: URL(fileURLWithPath: saveDetections), options: .atomic)
            } catch {
                throw CommandFailure("\(saveDetections): cannot write the detections: \(error.localizedDescription)")
            }
        }
        return scored
    }

    /// One entry of a COCO results file. Values are written in full (shortest round-trip), so the
    /// file evaluates exactly as the run did.
    private static func json(_ detection: COCODetection) -> String {
        let box = detection.box
        return JSONText.object([
            ("image_id", "\(detection.imageID)"), ("category_id", "\(detection.categoryID)"),
            ("bbox", JSONText.array([box.x, box.y, box.width, box.height].map { JSONText.number($0) })),
            ("score", JSONText.number(detection.score)),
        ])
    }

    // MARK: Output

    private func heading(_ report: EvaluationReport, scored: ScoredDetections) -> String {
        let images = "\(report.imageCount) image\(report.imageCount == 1 ? "" : "s")"
        switch scored.source {
        case let .file(path):
            return "\(path): \(report.detectionCount) detections on \(images) of \(annotations)"
        case let .model(detector, _):
            let weights = detector.isRandomlyInitialised ? ", RANDOM WEIGHTS" : ""
            return "\(detector.config.name)\(weights) on \(images) of \(annotations): \(report.detectionCount) detections "
                + "(score > \(scoreThreshold), at most \(maxDetections) per image)"
        }
    }

    private func text(_ report: EvaluationReport, scored: ScoredDetections) -> String {
        var out = heading(report, scored: scored) + "\n"
        out += report.summary.metrics.map(\.pycocotoolsLine).joined(separator: "\n") + "\n\n"
        func value(_ v: Double) -> String { v < 0 ? "-" : String(format: "%.3f", v) }
        let rows = report.categories.map { row in
            [
                row.name, "\(row.id)", "\(row.instances)", value(row.averagePrecision), value(row.averagePrecision50),
                value(row.averagePrecision75), row.vocAveragePrecision50.map(value) ?? "-",
            ]
        }
        out += TextTable(header: ["category", "id", "instances", "AP", "AP50", "AP75", "VOC AP50"], rows: rows).rendered + "\n"
        let withObjects = report.voc.averagePrecision.compactMap { $0 }.count
        out +=
            "VOC AP50 (PASCAL VOC 2010+, all points, crowd regions left out), mean over \(withObjects) "
            + "categor\(withObjects == 1 ? "y" : "ies") with objects: \(value(report.voc.meanAveragePrecision))\n"
        if report.categories.contains(where: { $0.averagePrecision < 0 }) {
            out += "- : no ground truth in this category (left out of the means, as pycocotools does)\n"
        }
        return out
    }

    private func json(_ report: EvaluationReport, scored: ScoredDetections) -> String {
        var fields: [(String, String)] = [("annotations", JSONText.string(annotations))]
        switch scored.source {
        case let .file(path):
            fields.append(("detections_file", JSONText.string(path)))
        case let .model(detector, mapping):
            fields.append(("model", JSONText.string(detector.config.name)))
            fields.append(("precision", JSONText.string(detector.precision.rawValue)))
            if detector.isRandomlyInitialised { fields.append(("random_weights", "true")) }
            fields.append(("category_mapping", JSONText.string(mapping.rule.rawValue)))
            fields.append(("score_threshold", JSONText.number(scoreThreshold)))
            fields.append(("max_detections", "\(maxDetections)"))
        }
        fields.append(("images", "\(report.imageCount)"))
        fields.append(("detections", "\(report.detectionCount)"))
        fields.append(("ignored_detections", "\(report.coco.ignoredDetections + scored.unmatched)"))
        for metric in report.summary.metrics { fields.append((metric.name, JSONText.number(metric.value))) }
        fields.append(
            (
                "per_class",
                JSONText.array(
                    report.categories.map { row in
                        JSONText.object([
                            ("id", "\(row.id)"), ("name", JSONText.string(row.name)), ("instances", "\(row.instances)"),
                            ("AP", JSONText.number(row.averagePrecision)), ("AP50", JSONText.number(row.averagePrecision50)),
                            ("AP75", JSONText.number(row.averagePrecision75)),
                            ("voc_AP50", row.vocAveragePrecision50.map { JSONText.number($0) } ?? "null"),
                        ])
                    })
            ))
        fields.append(("voc_ap50", JSONText.number(report.voc.meanAveragePrecision)))
        return JSONText.object(fields)
    }

    /// Up to five items, then how many more.
    private static func list(_ items: [String]) -> String {
        items.count <= 5 ? items.joined(separator: ", ") : items.prefix(5).joined(separator: ", ") + " and \(items.count - 5) more"
    }
}

/// What `detect eval` prints.
enum EvalOutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// pycocotools' summary lines and a per-class table.
    case text
    /// One JSON object: the 12 statistics by name (AP … ARl), per_class, voc_ap50 and counts.
    case json
}
