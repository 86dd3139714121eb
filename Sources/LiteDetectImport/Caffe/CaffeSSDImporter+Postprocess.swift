import LiteDetectImportFormats

extension CaffeSSDImporter {
    /// One level's `PriorBox` as LiteDetect's `prior_box` anchors take it.
    struct PriorBoxSpec {
        var minSize: Double
        var maxSize: Double?
        /// The ratios other than 1, each added with its flip (Caffe's `flip: true`).
        var aspectRatios: [Double]
        /// Caffe's `step`, when the layer gives one; nil: `image size / feature map size`.
        var step: Double?
        /// Priors per cell, as Caffe counts them.
        var count: Int
    }

    struct PriorBoxes {
        var levels: [PriorBoxSpec]
        var clip: Bool
        var centerVariance: Float
        var sizeVariance: Float
    }

    /// The `PriorBox` layers: one `min_size` (and optional `max_size`) per layer, ratios with their
    /// flips, offset 0.5, the input image as the size reference, one set of variances for all.
    /// Caffe's `PriorBoxLayer` order per cell (the `min_size` square, the `√(min·max)` square, then
    /// each ratio `r` and `1/r`) is `PriorBoxGenerator`'s.
    static func readPriorBoxes(_ net: CaffeNet, _ structure: Structure) throws(ImportError) -> PriorBoxes {
        let file = net.file
        let imageSize = net.inputShape[3]
        var levels: [PriorBoxSpec] = []
        var variances: Set<[Float]> = []
        for level in structure.levels {
            let layer = net.layers[level.priorBox]
            let location = net.location(level.priorBox)
            let p = layer.priorBoxParam
            guard p.minSize.count == 1, p.minSize[0] > 0, p.minSize[0].isFinite else {
                throw .unsupported(file: file, location: location, problem: "min_size \(p.minSize); one positive min_size per layer is mapped")
            }
            let minSize = Double(p.minSize[0])
            var maxSize: Double?
            switch p.maxSize.count {
            case 0: maxSize = nil
            case 1:
                guard p.maxSize[0] > p.minSize[0], p.maxSize[0].isFinite else {
                    throw .invalidModel(file: file, location: location, problem: "max_size \(p.maxSize[0]) must exceed min_size \(p.minSize[0])")
                }
                maxSize = Double(p.maxSize[0])
            default:
                throw .unsupported(file: file, location: location, problem: "max_size \(p.maxSize); at most one is mapped")
            }
            // Caffe's list: 1, then each new ratio (within 1e-6) and, with flip, its inverse.
            var caffeRatios: [Float] = [1]
            var ratios: [Double] = []
            for ratio in p.aspectRatio {
                guard ratio > 0, ratio.isFinite else {
                    throw .invalidModel(file: file, location: location, problem: "aspect_ratio \(ratio) must be positive")
                }
                if caffeRatios.contains(where: { abs(ratio - $0) < 1e-6 }) { continue }
                caffeRatios.append(ratio)
                ratios.append(Double(ratio))
                if p.flip { caffeRatios.append(1 / ratio) }
            }
            guard p.flip || ratios.isEmpty else {
                throw .unsupported(
                    file: file, location: location, problem: "flip false; LiteDetect's prior_box adds every aspect ratio with its flip")
            }
            guard p.offset == 0.5 else {
                throw .unsupported(file: file, location: location, problem: "offset \(p.offset); priors centered in their cells (0.5) are mapped")
            }
            for (name, has, value) in [("img_size", p.hasImgSize, p.imgSize), ("img_h", p.hasImgH, p.imgH), ("img_w", p.hasImgW, p.imgW)]
            where has && Int(value) != imageSize {
                throw .unsupported(file: file, location: location, problem: "\(name) \(value) differs from the \(imageSize)-pixel input")
            }
            var step: Double?
            if p.hasStepH || p.hasStepW {
                guard p.hasStepH, p.hasStepW, p.stepH == p.stepW, !p.hasStep, p.stepH > 0 else {
                    throw .unsupported(
                        file: file, location: location, problem: "step_h \(p.stepH), step_w \(p.stepW); one positive step for both axes is mapped")
                }
                step = Double(p.stepH)
            } else if p.hasStep {
                guard p.step > 0, p.step.isFinite else { throw .invalidModel(file: file, location: location, problem: "step \(p.step)") }
                step = Double(p.step)
            }
            let variance: [Float]
            switch p.variance.count {
            case 0: variance = [0.1, 0.1, 0.1, 0.1]  // Caffe's default
            case 1: variance = Array(repeating: p.variance[0], count: 4)
            case 4: variance = p.variance
            default: throw .invalidModel(file: file, location: location, problem: "\(p.variance.count) variances; Caffe takes 1 or 4")
            }
            guard variance[0] == variance[1], variance[2] == variance[3], variance.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw .unsupported(file: file, location: location, problem: "variance \(variance); equal positive x/y and w/h variances are mapped")
            }
            if p.clip {
                // Caffe clips each prior's corners into [0, 1]; LiteDetect's prior_box `clip`
                // clamps centers and sizes (pytorch-ssd), which is a different box.
                throw .unsupported(
                    file: file, location: location, problem: "clip true: Caffe clips prior corners, which LiteDetect's prior_box does not reproduce")
            }
            variances.insert(variance)
            levels.append(
                PriorBoxSpec(
                    minSize: minSize, maxSize: maxSize, aspectRatios: ratios, step: step, count: caffeRatios.count + (maxSize == nil ? 0 : 1)))
        }
        guard variances.count == 1, let variance = variances.first else {
            throw .unsupported(
                file: file, location: "PriorBox", problem: "variances \(variances.sorted { $0.lexicographicallyPrecedes($1) }) differ between layers")
        }
        return PriorBoxes(levels: levels, clip: false, centerVariance: variance[0], sizeVariance: variance[2])
    }

    struct Postprocessing {
        var classes: Int
        var scoreThreshold: Float
        /// Candidates per class before NMS (nil: all).
        var topK: Int?
        var iouThreshold: Float
        /// Detections kept in all (nil: all).
        var keepTopK: Int?
    }

    /// `DetectionOutput`: softmax scores with a background column 0, shared CENTER_SIZE boxes
    /// decoded with the priors' variances, per class `score > confidence_threshold`, the best
    /// `top_k`, NMS at `nms_threshold`, then the best `keep_top_k` of all classes, never clipped:
    /// LiteDetect's `torchvision` post-processing with `clip_boxes: none`.
    static func readDetectionOutput(_ net: CaffeNet, _ structure: Structure) throws(ImportError) -> Postprocessing {
        let file = net.file
        let index = structure.detectionOutput
        let location = net.location(index)
        let p = net.layers[index].detectionOutputParam
        func refuse(_ problem: String) -> ImportError { .unsupported(file: file, location: location, problem: problem) }
        guard p.hasNumClasses, p.numClasses >= 2 else { throw .invalidModel(file: file, location: location, problem: "needs num_classes ≥ 2") }
        guard Int(p.numClasses) == structure.classColumns else {
            throw .invalidModel(
                file: file, location: location,
                problem: "num_classes \(p.numClasses), but the scores are reshaped to \(structure.classColumns) columns")
        }
        guard p.shareLocation else { throw refuse("share_location false (a box per class); shared boxes are mapped") }
        guard p.backgroundLabelID == 0 else { throw refuse("background_label_id \(p.backgroundLabelID); background column 0 is mapped") }
        guard p.codeType == .centerSize else { throw refuse("code_type \(p.codeType); CENTER_SIZE is mapped") }
        guard !p.varianceEncodedInTarget else { throw refuse("variance_encoded_in_target true; variances applied when decoding are mapped") }
        guard !p.hasSaveOutputParam, !p.visualize, !p.hasSaveFile else {
            throw refuse("saves or shows its results (save_output_param, visualize, save_file)")
        }
        let nms = p.nmsParam
        guard nms.eta == 1 else { throw refuse("adaptive NMS (eta \(nms.eta)); eta 1 is mapped") }
        guard nms.nmsThreshold >= 0, nms.nmsThreshold <= 1 else {
            throw .invalidModel(file: file, location: location, problem: "nms_threshold \(nms.nmsThreshold)")
        }
        let topK: Int? = nms.hasTopK && nms.topK > -1 ? Int(nms.topK) : nil
        if let topK, topK < 1 { throw .invalidModel(file: file, location: location, problem: "top_k \(topK)") }
        let keepTopK: Int? = p.keepTopK > -1 ? Int(p.keepTopK) : nil
        if let keepTopK, keepTopK < 1 { throw .invalidModel(file: file, location: location, problem: "keep_top_k \(keepTopK)") }
        // No confidence_threshold: every box is considered (Caffe: −FLT_MAX); softmax scores are ≥ 0.
        let threshold = p.hasConfidenceThreshold ? p.confidenceThreshold : 0
        guard threshold.isFinite, threshold < 1 else {
            throw .invalidModel(file: file, location: location, problem: "confidence_threshold \(threshold)")
        }
        return Postprocessing(
            classes: Int(p.numClasses), scoreThreshold: max(threshold, 0), topK: topK, iouThreshold: nms.nmsThreshold, keepTopK: keepTopK)
    }
}
