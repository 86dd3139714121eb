import Foundation
import LiteDetectImportFormats
import LiteDetectPostprocess

extension TensorFlowSSDImporter {
    struct Anchors {
        var minScale: Float
        var maxScale: Float
        var aspectRatios: [Float]
        var interpolatedScaleAspectRatio: Float
        var reduceLowest: Bool
    }

    /// `MultipleGridAnchorGenerator/`: each layer's `Sqrt` of its aspect ratios, divided into
    /// (heights) and multiplied with (widths) its scales. The `ssd_anchor_generator` parameters are
    /// fitted to the first layers and then every layer's lists must come out equal in float32.
    static func readAnchors(_ graph: TensorFlowGraph, levels: Int, anchorsPerLevel: [Int]) throws(ImportError) -> Anchors {
        let file = graph.file
        let prefix = "MultipleGridAnchorGenerator/"
        var layers: [(scales: [Float], ratios: [Float])] = []
        for level in 0..<levels {
            let sqrtName = prefix + (level == 0 ? "Sqrt" : "Sqrt_\(level)")
            guard let sqrt = graph.nodes[sqrtName], sqrt.op == "Sqrt" else {
                throw .unsupported(file: file, location: sqrtName, problem: "not found: the anchors are not the OD API's MultipleGridAnchorGenerator")
            }
            let ratios = try graph.floatConstant(graph.input(sqrt, 0)).values
            let divisions = graph.readers(of: sqrtName).filter { $0.op == "RealDiv" }
            guard divisions.count == 1 else {
                throw .unsupported(
                    file: file, location: "node '\(sqrtName)' (Sqrt)",
                    problem: "read by \(divisions.count) divisions, expected the heights = scales / √ratios")
            }
            let scales = try graph.floatConstant(graph.input(divisions[0], 0)).values
            guard scales.count == ratios.count, ratios.count == anchorsPerLevel[level] else {
                throw .invalidModel(
                    file: file, location: "anchor layer \(level)",
                    problem: "\(scales.count) scales, \(ratios.count) ratios for \(anchorsPerLevel[level]) anchors per cell")
            }
            layers.append((scales, ratios))
        }
        // ssd_anchor_generator: the lowest layer reduced to (0.1, 1), (min, 2), (min, 0.5); the
        // others each aspect ratio at scale s, then the interpolated scale √(s·s') at one ratio.
        let reduceLowest = layers[0].ratios.count == 3 && layers[0].scales[0] == Float(0.1)
        let reference = levels > 1 ? layers[1] : layers[0]
        guard let interpolatedRatio = reference.ratios.last, reference.ratios.count >= 2 else {
            throw .unsupported(file: file, location: "anchor layer 1", problem: "too few boxes per cell to read ssd_anchor_generator parameters")
        }
        let aspectRatios = Array(reference.ratios.dropLast())
        let minScale = reduceLowest ? layers[0].scales[1] : layers[0].scales[0]
        let maxScale = layers[levels - 1].scales[0]
        let generator: TensorFlowSSDAnchorGenerator
        do {
            generator = try TensorFlowSSDAnchorGenerator(
                numLayers: levels, minScale: Double(minScale), maxScale: Double(maxScale), scales: nil,
                aspectRatios: aspectRatios.map(Double.init), interpolatedScaleAspectRatio: Double(interpolatedRatio),
                baseAnchorSize: (1, 1), reduceBoxesInLowestLayer: reduceLowest)
        } catch {
            throw .unsupported(file: file, location: prefix, problem: "\(error)")
        }
        for (level, specs) in generator.boxSpecs.enumerated() {
            let scales = specs.map { Float($0.scale) }, ratios = specs.map { Float($0.aspectRatio) }
            guard scales == layers[level].scales, ratios == layers[level].ratios else {
                throw .unsupported(
                    file: file, location: "anchor layer \(level)",
                    problem:
                        "scales \(layers[level].scales), ratios \(layers[level].ratios) are not ssd_anchor_generator's (\(scales), \(ratios) for min \(minScale), max \(maxScale))"
                )
            }
        }
        return Anchors(
            minScale: minScale, maxScale: maxScale, aspectRatios: aspectRatios, interpolatedScaleAspectRatio: interpolatedRatio,
            reduceLowest: reduceLowest)
    }

    struct Postprocessing {
        var scores: String
        var boxScales: [Float]
        var iouThreshold: Float
        var scoreThreshold: Float
        var maxPerClass: Int
        var maxTotal: Int
        var clip: String
    }

    /// `Postprocessor/`: logit scale, score function, box coder scales and the multiclass NMS.
    static func readPostprocessing(_ graph: TensorFlowGraph) throws(ImportError) -> Postprocessing {
        let file = graph.file
        let convert = try graph.node("Postprocessor/convert_scores")
        let scores: String
        switch convert.op {
        case "Sigmoid": scores = "sigmoid"
        case "Softmax": scores = "softmax"
        default:
            throw .unsupported(file: file, location: "node '\(convert.name)' (\(convert.op))", problem: "only Sigmoid and Softmax scores are mapped")
        }
        if graph.has("Postprocessor/scale_logits/y") {
            let scale = try graph.floatScalar("Postprocessor/scale_logits/y")
            guard scale == 1 else { throw .unsupported(file: file, location: "Postprocessor/scale_logits", problem: "logits divided by \(scale)") }
        }
        // FasterRcnnBoxCoder: (ty, tx, th, tw) = unstack(encodings), each divided by its scale.
        let unstack = "Postprocessor/Decode/unstack"
        var boxScales = [Float?](repeating: nil, count: 4)
        for name in graph.names where name.hasPrefix("Postprocessor/Decode/") {
            guard let division = graph.nodes[name], division.op == "RealDiv", let first = division.input.first else { continue }
            let component = first == unstack ? 0 : first.hasPrefix(unstack + ":") ? Int(first.dropFirst(unstack.count + 1)) : nil
            guard let component, (0..<4).contains(component) else { continue }
            guard boxScales[component] == nil else {
                throw .unsupported(file: file, location: "node '\(name)' (RealDiv)", problem: "box code component \(component) divided twice")
            }
            boxScales[component] = try graph.floatScalar(graph.input(division, 1))
        }
        guard boxScales.allSatisfy({ $0 != nil }) else {
            throw .unsupported(file: file, location: "Postprocessor/Decode", problem: "not a FasterRcnnBoxCoder with four scale factors")
        }

        let scope = "Postprocessor/BatchMultiClassNonMaxSuppression/"
        let nodes = graph.names.filter { $0.hasPrefix(scope) }.compactMap { graph.nodes[$0] }
        let suppressions = nodes.filter { $0.op.hasPrefix("NonMaxSuppression") }
        guard !suppressions.isEmpty else { throw .unsupported(file: file, location: scope, problem: "no NonMaxSuppression op") }
        var iou: Set<Float> = [], perClass: Set<Int> = [], thresholds: Set<Float> = [], clipBefore: Set<Bool> = []
        for nms in suppressions {
            let location = "node '\(nms.name)' (\(nms.op))"
            guard ["NonMaxSuppressionV2", "NonMaxSuppressionV3"].contains(nms.op), nms.input.count >= 4 else {
                throw .unsupported(file: file, location: location, problem: "only NonMaxSuppressionV2 and V3 are mapped")
            }
            iou.insert(try graph.floatScalar(nms.input[3]))
            let limit = try graph.resolve(nms.input[2])
            if limit.op == "Minimum" {
                var constants: [Int] = []
                for input in limit.input where (try? graph.resolve(input).op) == "Const" { constants += try graph.intConstant(input) }
                guard constants.count == 1 else {
                    throw .unsupported(file: file, location: "node '\(limit.name)'", problem: "expected min(max_size_per_class, boxes)")
                }
                perClass.insert(constants[0])
            } else {
                perClass.formUnion(try graph.intConstant(limit.name))
            }
            if nms.op == "NonMaxSuppressionV3" { thresholds.insert(try graph.floatScalar(graph.input(nms, 4))) }
            clipBefore.insert(nms.input[0].contains("ClipToWindow"))
        }
        for greater in nodes where greater.op == "Greater" && greater.name.contains("FilterGreaterThan") {
            thresholds.insert(try graph.floatScalar(graph.input(greater, 1)))
        }
        // max_total_size: min(max_total_size, boxes) before the final gather, outside the per-class part.
        let nmsLimits = Set(suppressions.map { GraphName.node($0.input[2]) })
        var totals: Set<Int> = []
        for minimum in nodes where minimum.op == "Minimum" && !nmsLimits.contains(minimum.name) && !minimum.name.contains("ClipToWindow") {
            for input in minimum.input where (try? graph.resolve(input).op) == "Const" { totals.formUnion(try graph.intConstant(input)) }
        }
        guard iou.count == 1, perClass.count == 1, thresholds.count == 1, clipBefore.count == 1, totals.count == 1 else {
            throw .unsupported(
                file: file, location: scope,
                problem:
                    "expected one value each: IoU \(iou.sorted()), per class \(perClass.sorted()), score threshold \(thresholds.sorted()), total \(totals.sorted())"
            )
        }
        let clip = clipBefore.first! ? "before_nms_drop_empty" : "after_nms_drop_empty"
        if !clipBefore.first!, !nodes.contains(where: { $0.name.contains("ClipToWindow") }) {
            throw .unsupported(file: file, location: scope, problem: "no ClipToWindow: unclipped TF outputs are not mapped")
        }
        return Postprocessing(
            scores: scores, boxScales: boxScales.compactMap { $0 }, iouThreshold: iou.first!, scoreThreshold: thresholds.first!,
            maxPerClass: perClass.first!, maxTotal: totals.first!, clip: clip)
    }
}

enum GraphName {
    static func node(_ input: String) -> String { TensorFlowGraph.nodeName(of: input) }
}
