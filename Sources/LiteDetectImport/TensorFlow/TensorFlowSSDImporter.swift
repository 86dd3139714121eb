import Foundation
import LiteDetect
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN
import LiteDetectPostprocess

/// Imports a frozen TensorFlow Object Detection API SSD / SSDLite graph on MobileNetV2 (e.g.
/// `ssd_mobilenet_v2_coco`, `ssdlite_mobilenet_v2_coco`): everything LiteDetect needs is read
/// from the graph itself — input size and normalisation, depth multiplier, extra layers, head type,
/// anchors per cell, classes, BatchNorm epsilon, anchor generator, box coder, score function and
/// NMS settings — and everything read is checked: each convolution's kind, kernel, stride,
/// padding, activation and inputs against the LiteDetect network built from the result, and every
/// parameter of the feature extractor and predictors is used exactly once.
package enum TensorFlowSSDImporter {
    package static func importGraph(at path: String, options: ImportOptions) throws(ImportError) -> ImportedModel {
        try importGraph(ModelFile.read(path), named: path, options: options)
    }

    /// The same from bytes already in memory; `path` names them in messages and provenance.
    package static func importGraph(_ data: Data, named path: String, options: ImportOptions) throws(ImportError) -> ImportedModel {
        let graph = try TensorFlowGraph(data: data, file: path)
        let sourceName = URL(fileURLWithPath: path).lastPathComponent, sourceHash = ModelFile.sha256(data)
        var checks: [String] = []
        let file = path

        // Input: resize, then x·scale − offset.
        let preprocessing = try readPreprocessing(graph)
        checks.append(
            "input: \(preprocessing.width)×\(preprocessing.height) \(preprocessing.interpolation) resize, x·\(preprocessing.scale) + \(preprocessing.offset)"
        )

        // Backbone, extras, heads.
        let scope = TensorFlowLayerScopes.mobileNetV2
        guard graph.has(scope + "Conv/weights") else {
            let extractors = Set(
                graph.names.filter { $0.hasPrefix("FeatureExtractor/") }.map { $0.split(separator: "/").dropFirst().first.map(String.init) ?? "" })
            throw .unsupported(
                file: file, location: "FeatureExtractor", problem: "feature extractor \(extractors.sorted()); only MobilenetV2 is mapped")
        }
        let stemChannels = try graph.floatConstant(scope + "Conv/weights").shape[3]
        let width = Double(stemChannels) / 32
        let extras = try readExtraLayers(graph)
        let levels = 2 + extras.channels.count
        let head = try readHeads(graph, levels: levels)
        guard head.classColumns == options.labels.count else {
            throw .invalidModel(
                file: file, location: "BoxPredictor_0/ClassPredictor",
                problem: "predicts \(head.classColumns) class columns (background included) but \(options.labels.count) labels were given")
        }

        // Every convolution LiteDetect will build, read from its TF scope (in name order, so the first
        // error is always the same one); the BatchNorm epsilon must be one value for the whole graph.
        var layerScopes = TensorFlowLayerScopes.mobileNetV2Backbone()
        layerScopes.merge(TensorFlowLayerScopes.extraLayers(extras.channels, depthwise: extras.depthwise)) { a, _ in a }
        layerScopes.merge(TensorFlowLayerScopes.heads(levels: levels, ssdLite: head.ssdLite)) { a, _ in a }
        var convolutions: [String: TensorFlowConvolution] = [:]
        var epsilons: Set<Float> = []
        for (name, tfScope) in layerScopes.sorted(by: { $0.key < $1.key }) {
            let conv = try TensorFlowConvolution(scope: tfScope, in: graph)
            convolutions[name] = conv
            if case let .batchNorm(epsilon) = conv.normalization { epsilons.insert(epsilon) }
        }
        guard epsilons.count == 1, let epsilon = epsilons.first else {
            throw .unsupported(file: file, location: "BatchNorm", problem: "epsilons \(epsilons.sorted()); one value for the whole network is mapped")
        }
        // The shortest decimal that reads back as the graph's float32 (0.001, not 0.0010000000474974513).
        let epsilonValue = Double("\(epsilon)") ?? Double(epsilon)
        checks.append(
            "BatchNorm: \(convolutions.values.filter { if case .batchNorm = $0.normalization { return true } else { return false } }.count) layers, epsilon \(epsilon)"
        )

        let architecture = DetectionArchitecture(
            backbone: BackboneConfiguration(.mobileNetV2, width: width, batchNormEpsilon: epsilonValue),
            extraLayers: extras.channels, extraBlock: extras.depthwise ? .ssdLite : .ssd, extraActivation: .relu6,
            head: head.ssdLite ? .ssdLite : .ssd, headKernel: head.kernel, anchorsPerLevel: head.anchorsPerLevel,
            classColumns: head.classColumns, padding: .tensorFlowSame, headBatchNormEpsilon: epsilonValue, batchNorm: .separate)

        // The tensors LiteDetect asks for, and where each comes from.
        let probe = RecordingWeights()
        let probeNetwork: DetectionNetwork
        do {
            probeNetwork = try DetectionNetwork(architecture, inputHeight: preprocessing.height, inputWidth: preprocessing.width, weights: probe)
        } catch {
            throw .unsupported(file: file, location: "network", problem: "LiteDetect cannot build this layout: \(error)")
        }
        let (tensors, used) = try gatherTensors(probe.requests, convolutions: convolutions, graph: graph)
        checks.append("weights: \(tensors.count) tensors, \(tensors.values.reduce(0) { $0 + $1.values.count }) values")
        try checkEveryParameterUsed(graph, used: used)
        checks.append("every parameter of FeatureExtractor/ and BoxPredictor_*/ used exactly once")

        // Each convolution against the graph: kind, kernel, stride, activation, inputs.
        var tfToLiteDetect: [String: String] = [:]
        for (name, conv) in convolutions { tfToLiteDetect[conv.output.name] = name }
        for summary in probeNetwork.network.convolutionSummaries {
            guard let conv = convolutions[summary.name] else {
                throw .verificationFailed(file: file, problem: "LiteDetect layer \(summary.name) has no TF counterpart")
            }
            try check(summary, against: conv, graph: graph, outputs: tfToLiteDetect, input: preprocessing.inputNode)
        }
        checks.append("\(convolutions.count) convolutions: kind, kernel, stride, SAME padding, activation and inputs match the graph")

        let anchors = try readAnchors(graph, levels: levels, anchorsPerLevel: head.anchorsPerLevel)
        checks.append(
            "anchors: ssd_anchor_generator, \(levels) layers, scales \(anchors.minScale)…\(anchors.maxScale), aspect ratios \(anchors.aspectRatios); every layer's scales and ratios equal the graph's in float32"
        )
        let post = try readPostprocessing(graph)
        checks.append(
            "postprocess: \(post.scores), box coder scales \(post.boxScales), NMS IoU \(post.iouThreshold), score > \(post.scoreThreshold), \(post.maxPerClass) per class, \(post.maxTotal) in all, clip \(post.clip)"
        )

        let document = ConfigDocument(
            name: options.name,
            description: options.description ?? "SSD on MobileNetV2 imported from a TensorFlow Object Detection API graph",
            backbone: .init(name: BackboneName.mobileNetV2.rawValue, width: width, batch_norm_epsilon: epsilonValue),
            input: .init(
                width: preprocessing.width, height: preprocessing.height, interpolation: preprocessing.interpolation,
                channel_order: "rgb", scale: preprocessing.scale, offset: preprocessing.offset),
            network: .init(
                padding: "tensorflow_same", extra_layers: extras.channels, extra_block: extras.depthwise ? "ssdlite" : "ssd",
                extra_activation: "relu6", head: head.ssdLite ? "ssdlite" : "ssd", head_kernel: head.ssdLite ? nil : head.kernel,
                head_batch_norm_epsilon: epsilonValue, batch_norm: "separate"),
            anchors: .init(
                type: "tensorflow", num_layers: levels, min_scale: anchors.minScale, max_scale: anchors.maxScale,
                aspect_ratios: anchors.aspectRatios, interpolated_scale_aspect_ratio: anchors.interpolatedScaleAspectRatio,
                reduce_boxes_in_lowest_layer: anchors.reduceLowest),
            box_coder: .init(type: "tensorflow", weights: post.boxScales),
            scores: post.scores,
            postprocess: .init(
                style: "tensorflow", score_threshold: post.scoreThreshold, iou_threshold: post.iouThreshold,
                max_per_class: post.maxPerClass, max_detections: post.maxTotal, clip_boxes: post.clip),
            labels: options.labels, weights: options.weightsPath,
            provenance: options.provenance ?? "imported by detect import from \(sourceName), sha256 \(sourceHash)")
        let metadata = [
            "format": "pt", "litedetect.source": sourceName, "litedetect.source_sha256": sourceHash,
            "litedetect.importer": "detect import (TensorFlow SSD)",
        ]
        return try ImportedModel.verified(document, tensors: tensors, metadata: metadata, checks: checks, file: file)
    }
}
