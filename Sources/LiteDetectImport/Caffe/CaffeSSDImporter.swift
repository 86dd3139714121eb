import Foundation
import LiteDetect
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN

/// Imports a Caffe SSD deploy net (`.prototxt`, text) with its weights (`.caffemodel`, binary) on
/// MobileNetV1 with BatchNorm merged into the convolutions, e.g. chuanqi305's MobileNet-SSD (VOC).
///
/// The prototxt defines the network and the caffemodel only supplies the blobs, matched by layer
/// name, as Caffe does. Everything LiteDetect needs is read from the prototxt — input size, the
/// chain of convolutions and its width, the feature maps, extra layers, predictors, anchors per
/// level, classes, `PriorBox` parameters and `DetectionOutput` settings — and everything read is
/// checked: every layer of the net is part of the SSD read (anything else is an error naming the
/// layer and its type), each convolution's channels, kernel, stride, pad, group, ReLU and input
/// against the LiteDetect network built from the result, and every caffemodel blob is used
/// exactly once.
///
/// One thing is not in the files: the input normalisation. A deploy prototxt has no
/// `transform_param`; MobileNet-SSD's is its author's documented preprocessing
/// (`(x − 127.5) · 0.007843` on BGR pixels, chuanqi305's `demo.py`), which the importer writes as a
/// constant of the model family (`preprocessing`), and says so in its checks.
package enum CaffeSSDImporter {
    /// MobileNet-SSD's input normalisation on 0…255 BGR pixels: `x · scale + offset`, i.e.
    /// `(x − 127.5) · 0.007843`. Not read from the model (a deploy prototxt does not carry it).
    static let preprocessing = (scale: Float(0.007843), offset: Float(-127.5 * 0.007843), channelOrder: "bgr", interpolation: "half_pixel")

    package static func importModel(prototxt: String, caffemodel: String, options: ImportOptions) throws(ImportError) -> ImportedModel {
        try importModel(
            prototxt: ModelFile.read(prototxt, maxBytes: 64 << 20), named: prototxt,
            caffemodel: ModelFile.read(caffemodel), named: caffemodel, options: options)
    }

    /// The same from bytes already in memory; the names are for messages and provenance.
    package static func importModel(
        prototxt prototxtData: Data, named prototxt: String, caffemodel modelData: Data, named caffemodel: String, options: ImportOptions
    ) throws(ImportError) -> ImportedModel {
        let net = try CaffeNet(data: prototxtData, file: prototxt)
        let weights = try CaffeWeights(data: modelData, file: caffemodel)
        let file = prototxt
        var checks: [String] = []

        // The layers and the SSD they form.
        try checkLayers(net)
        let structure = try readStructure(net)
        let trunk = structure.trunk, levels = structure.levels
        let counts = Dictionary(grouping: net.layers, by: \.type).mapValues(\.count)
        checks.append(
            "prototxt: \(net.layers.count) layers (\(mappedLayerTypes.compactMap { type in counts[type].map { "\($0) \(type)" } }.joined(separator: ", "))), "
                + "every one part of the SSD from input '\(net.inputName)' to \(net.location(structure.detectionOutput))"
                + (net.excluded.isEmpty ? "" : "; left out of the TEST phase: \(net.excluded.joined(separator: ", "))"))

        // Input.
        let height = net.inputShape[2], width = net.inputShape[3]
        guard height == width else {
            throw .unsupported(
                file: file, location: "input '\(net.inputName)'", problem: "\(width)×\(height); LiteDetect's prior_box anchors need a square input")
        }
        let pre = preprocessing
        checks.append(
            "input: '\(net.inputName)' \(net.inputShape) → \(width)×\(height) BGR; normalisation (x − 127.5)·0.007843 and \(pre.interpolation) resize are "
                + "MobileNet-SSD's documented preprocessing (chuanqi305 demo.py), a constant of the importer, not read: the prototxt has no transform_param"
        )

        // Backbone and extra layers: MobileNetV1's 27 convolutions, then two per extra layer.
        let extraCount = levels.count - 2
        guard extraCount >= 0, trunk.count == CaffeLayerNames.mobileNetV1Convolutions + 2 * extraCount else {
            throw .unsupported(
                file: file, location: "\(net.location(trunk[0].index)) … \(net.location(trunk[trunk.count - 1].index))",
                problem: "\(trunk.count) convolutions from the input to the last feature map, \(levels.count) levels; MobileNetV1-SSD has "
                    + "\(CaffeLayerNames.mobileNetV1Convolutions) + 2 per level after the second")
        }
        let backboneWidth = Double(trunk[0].outputs) / 32
        var extraLayers: [Int] = []
        for extra in 0..<extraCount {
            let reduce = trunk[CaffeLayerNames.mobileNetV1Convolutions + 2 * extra],
                expand = trunk[CaffeLayerNames.mobileNetV1Convolutions + 2 * extra + 1]
            guard reduce.outputs * 2 == expand.outputs else {
                throw .unsupported(
                    file: file, location: "\(net.location(reduce.index)), \(net.location(expand.index))",
                    problem:
                        "\(reduce.outputs) then \(expand.outputs) channels; LiteDetect's SSD extra layer reduces to exactly half of its output first")
            }
            extraLayers.append(expand.outputs)
        }
        let headKernels = Set(levels.flatMap { [$0.boxes.kernel, $0.classes.kernel] })
        guard headKernels.count == 1, let headKernel = headKernels.first, headKernel == 1 || headKernel == 3 else {
            throw .unsupported(
                file: file, location: "predictors", problem: "kernels \(headKernels.sorted()); one of 1 or 3 for all predictors is mapped")
        }

        // Anchors and classes per level.
        let priors = try readPriorBoxes(net, structure)
        let post = try readDetectionOutput(net, structure)
        guard post.classes == options.labels.count else {
            throw .invalidModel(
                file: file, location: net.location(structure.detectionOutput),
                problem: "predicts \(post.classes) class columns (background included) but \(options.labels.count) labels were given")
        }
        for (level, item) in levels.enumerated() {
            let anchors = priors.levels[level].count
            guard item.boxes.outputs == 4 * anchors, item.classes.outputs == post.classes * anchors else {
                throw .invalidModel(
                    file: file, location: "\(net.location(item.boxes.index)), \(net.location(item.classes.index))",
                    problem:
                        "\(item.boxes.outputs) and \(item.classes.outputs) outputs for \(anchors) priors per cell (\(net.location(item.priorBox))) and \(post.classes) classes"
                )
            }
        }
        let anchorsPerLevel = priors.levels.map(\.count)

        let architecture = DetectionArchitecture(
            backbone: BackboneConfiguration(.mobileNetV1, width: backboneWidth),
            extraLayers: extraLayers, extraBlock: .ssd, extraActivation: .relu, head: .ssd, headKernel: headKernel,
            anchorsPerLevel: anchorsPerLevel, classColumns: post.classes, padding: .pyTorch, batchNorm: .foldedIntoBias)

        // The tensors LiteDetect asks for, and where each comes from.
        let probe = RecordingWeights()
        let probeNetwork: DetectionNetwork
        do {
            probeNetwork = try DetectionNetwork(architecture, inputHeight: height, inputWidth: width, weights: probe)
        } catch {
            throw .unsupported(file: file, location: "network", problem: "LiteDetect cannot build this layout: \(error)")
        }
        let convolutions = CaffeLayerNames.mobileNetV1SSD(trunk: trunk, levels: levels)
        let (tensors, used) = try gatherTensors(probe.requests, convolutions: convolutions, weights: weights)
        try weights.checkEveryBlobUsed(used)
        checks.append(
            "weights: \(tensors.count) tensors, \(tensors.values.reduce(0) { $0 + $1.values.count }) values from \(weights.layers.count) caffemodel layers; "
                + "every blob used exactly once, all finite")

        // Each convolution against the prototxt: channels, kernel, stride, pad, group, ReLU, input.
        var outputs: [Int: String] = [:]
        for (name, conv) in convolutions { outputs[conv.output] = name }
        let summaries = probeNetwork.network.convolutionSummaries
        guard summaries.count == convolutions.count else {
            throw .verificationFailed(
                file: file, problem: "LiteDetect builds \(summaries.count) convolutions, the prototxt maps \(convolutions.count)")
        }
        for summary in summaries {
            guard let conv = convolutions[summary.name] else {
                throw .verificationFailed(file: file, problem: "LiteDetect layer \(summary.name) has no Caffe counterpart")
            }
            try check(summary, against: conv, net: net, outputs: outputs)
        }
        let features = structure.levels.map { net.layers[$0.feature].top[0] }
        checks.append(
            "\(convolutions.count) convolutions: num_output, kernel, stride, pad = (k − 1)/2, group, dilation 1, bias, ReLU and input layer match the prototxt; "
                + "MobileNetV1 α=\(backboneWidth) (\(net.location(trunk[0].index)) … \(net.location(trunk[CaffeLayerNames.mobileNetV1Convolutions - 1].index))), "
                + "BatchNorm merged into every bias, extra layers \(extraLayers), \(headKernel)×\(headKernel) predictors on \(features.joined(separator: ", "))"
        )
        checks.append(
            "layout: per level box and class predictors and the PriorBox read the same map; Permute 0,2,3,1 → Flatten(1) → Concat(1) in feature order; "
                + "classes Reshape [0, -1, \(structure.classColumns)] → Softmax(2) → Flatten(1); priors Concat(2)")

        // Anchors: LiteDetect's levels give the feature map sizes; Caffe's step is image / map size.
        var anchorLayers: [ConfigDocument.PriorBoxLayer] = []
        for (level, spec) in priors.levels.enumerated() {
            let map = probeNetwork.levels[level]
            guard map.height == map.width else {
                throw .unsupported(
                    file: file, location: net.location(levels[level].priorBox), problem: "feature map \(map.width)×\(map.height) is not square")
            }
            anchorLayers.append(
                ConfigDocument.PriorBoxLayer(
                    feature_map_size: map.height, shrinkage: spec.step ?? Double(width) / Double(map.height), min_size: spec.minSize,
                    max_size: spec.maxSize, aspect_ratios: spec.aspectRatios))
        }
        let anchorCount = zip(priors.levels, probeNetwork.levels).reduce(0) { $0 + $1.0.count * $1.1.height * $1.1.width }
        checks.append(
            "anchors: prior_box, \(levels.count) layers on \(probeNetwork.levels.map { "\($0.height)×\($0.width)" }.joined(separator: ", ")), \(anchorCount) priors; "
                + "min_size \(list(priors.levels.map { format($0.minSize) })), max_size \(list(priors.levels.map { $0.maxSize.map(format) ?? "–" })), "
                + "aspect_ratio \(list(priors.levels.map { list($0.aspectRatios.map(format)) })) with flip, offset 0.5, "
                + "step \(priors.levels.contains { $0.step != nil } ? "as given" : "image/map size (none given)"), clip false; "
                + "variances \(priors.centerVariance)/\(priors.sizeVariance)")
        let topK = post.topK ?? anchorCount
        let keepTopK = post.keepTopK ?? anchorCount * (post.classes - 1)
        checks.append(
            "postprocess: DetectionOutput \(post.classes) classes (background 0), softmax, shared CENTER_SIZE boxes, score > \(post.scoreThreshold), "
                + "top \(post.topK.map(String.init) ?? "all (\(topK))") per class, NMS IoU \(post.iouThreshold), keep \(post.keepTopK.map(String.init) ?? "all (\(keepTopK))"), boxes not clipped"
        )

        let modelFile = URL(fileURLWithPath: caffemodel).lastPathComponent, prototxtFile = URL(fileURLWithPath: prototxt).lastPathComponent
        let modelHash = ModelFile.sha256(modelData), prototxtHash = ModelFile.sha256(prototxtData)
        let document = ConfigDocument(
            name: options.name,
            description: options.description ?? "SSD on MobileNetV1 imported from a Caffe model (\(prototxtFile))",
            backbone: .init(name: BackboneName.mobileNetV1.rawValue, width: backboneWidth, batch_norm_epsilon: nil),
            input: .init(
                width: width, height: height, interpolation: pre.interpolation, channel_order: pre.channelOrder, scale: pre.scale, offset: pre.offset),
            network: .init(
                padding: "pytorch", extra_layers: extraLayers, extra_block: "ssd", extra_activation: "relu", head: "ssd", head_kernel: headKernel,
                head_batch_norm_epsilon: nil, batch_norm: "folded"),
            anchors: .init(type: "prior_box", image_size: Double(width), clip: priors.clip, layers: anchorLayers),
            box_coder: .init(type: "variance", center_variance: priors.centerVariance, size_variance: priors.sizeVariance),
            scores: "softmax",
            postprocess: .init(
                style: "torchvision", score_threshold: post.scoreThreshold, iou_threshold: post.iouThreshold, top_k: topK,
                max_detections: keepTopK, clip_boxes: "none"),
            labels: options.labels, weights: options.weightsPath,
            provenance: options.provenance
                ?? "imported by detect import from \(prototxtFile) (sha256 \(prototxtHash)) and \(modelFile) (sha256 \(modelHash)); "
                + "input normalisation (x − 127.5)·0.007843 is MobileNet-SSD's documented preprocessing, not read from the files")
        let metadata = [
            "format": "pt", "litedetect.source": modelFile, "litedetect.source_sha256": modelHash,
            "litedetect.source_prototxt": prototxtFile, "litedetect.source_prototxt_sha256": prototxtHash,
            "litedetect.importer": "detect import (Caffe SSD)",
        ]
        return try ImportedModel.verified(document, tensors: tensors, metadata: metadata, checks: checks, file: file)
    }

    /// `60` rather than `60.0` in the checks.
    private static func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }

    private static func list(_ items: [String]) -> String { "[\(items.joined(separator: ", "))]" }
}
