import LiteDetectPostprocess

/// Which anchor family a model was trained with, and its parameters (see `Configs/README.md`).
package enum AnchorConfig: Sendable, Equatable, Decodable {
    /// torchvision `DefaultBoxGenerator` (`"type": "torchvision"`).
    case torchvision(TorchvisionDefaultBoxGenerator)
    /// TF Object Detection API `ssd_anchor_generator` / `MultipleGridAnchorGenerator` (`"type": "tensorflow"`).
    case tensorFlow(TensorFlowSSDAnchorGenerator)
    /// Caffe/ncnn `PriorBox` as pytorch-ssd's `generate_ssd_priors` (`"type": "prior_box"`).
    case priorBox(PriorBoxGenerator)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        // torchvision
        case aspectRatios = "aspect_ratios"
        case minRatio = "min_ratio"
        case maxRatio = "max_ratio"
        case scales, steps, clip
        // tensorflow
        case numLayers = "num_layers"
        case minScale = "min_scale"
        case maxScale = "max_scale"
        case interpolatedScaleAspectRatio = "interpolated_scale_aspect_ratio"
        case reduceBoxesInLowestLayer = "reduce_boxes_in_lowest_layer"
        case baseAnchorSize = "base_anchor_size"
        // prior_box
        case imageSize = "image_size"
        case layers
    }

    private static let keysByType: [String: Set<CodingKeys>] = [
        "torchvision": [.type, .aspectRatios, .minRatio, .maxRatio, .scales, .steps, .clip],
        "tensorflow": [
            .type, .numLayers, .minScale, .maxScale, .scales, .aspectRatios, .interpolatedScaleAspectRatio,
            .reduceBoxesInLowestLayer, .baseAnchorSize,
        ],
        "prior_box": [.type, .imageSize, .layers, .clip],
    ]

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        guard let allowed = Self.keysByType[type] else {
            throw decoder.invalid(CodingKeys.type, "'\(type)' is not one of \(Self.keysByType.keys.sorted().joined(separator: ", "))")
        }
        for key in c.allKeys where !allowed.contains(key) {
            throw UnknownKeyError(path: (decoder.codingPath + [key]).dottedPath, valid: allowed.map(\.stringValue).sorted())
        }
        do {
            switch type {
            case "torchvision":
                self = .torchvision(
                    try TorchvisionDefaultBoxGenerator(
                        aspectRatios: try c.decode([[Double]].self, forKey: .aspectRatios),
                        minRatio: try c.decodeIfPresent(Double.self, forKey: .minRatio) ?? 0.15,
                        maxRatio: try c.decodeIfPresent(Double.self, forKey: .maxRatio) ?? 0.9,
                        scales: try c.decodeIfPresent([Double].self, forKey: .scales),
                        steps: try c.decodeIfPresent([Int].self, forKey: .steps),
                        clip: try c.decodeIfPresent(Bool.self, forKey: .clip) ?? true))
            case "tensorflow":
                let base = try c.decodeIfPresent([Double].self, forKey: .baseAnchorSize) ?? [1, 1]
                guard base.count == 2 else { throw decoder.invalid(CodingKeys.baseAnchorSize, "needs [height, width]") }
                self = .tensorFlow(
                    try TensorFlowSSDAnchorGenerator(
                        numLayers: try c.decode(Int.self, forKey: .numLayers),
                        minScale: try c.decodeIfPresent(Double.self, forKey: .minScale) ?? 0.2,
                        maxScale: try c.decodeIfPresent(Double.self, forKey: .maxScale) ?? 0.95,
                        scales: try c.decodeIfPresent([Double].self, forKey: .scales),
                        aspectRatios: try c.decode([Double].self, forKey: .aspectRatios),
                        interpolatedScaleAspectRatio: try c.decodeIfPresent(Double.self, forKey: .interpolatedScaleAspectRatio) ?? 1,
                        baseAnchorSize: (base[0], base[1]),
                        reduceBoxesInLowestLayer: try c.decodeIfPresent(Bool.self, forKey: .reduceBoxesInLowestLayer) ?? true))
            default:
                let layers = try c.decode([PriorBoxLayer].self, forKey: .layers)
                self = .priorBox(
                    try PriorBoxGenerator(
                        layers: layers.map(\.layer), imageSize: try c.decode(Double.self, forKey: .imageSize),
                        clamp: try c.decodeIfPresent(Bool.self, forKey: .clip) ?? true))
            }
        } catch let error as PostprocessError {
            throw InvalidValueError(path: decoder.codingPath.dottedPath, problem: "\(error)")
        }
    }

    /// Feature levels the anchors are defined for.
    package var levelCount: Int? {
        switch self {
        case let .torchvision(g): return g.anchorsPerLocation.count
        case let .tensorFlow(g): return g.anchorsPerLocation.count
        case let .priorBox(g): return g.anchorsPerLocation.count
        }
    }

    package func anchorsPerLocation(levels: Int) -> [Int] {
        switch self {
        case let .torchvision(g): return g.anchorsPerLocation
        case let .tensorFlow(g): return g.anchorsPerLocation
        case let .priorBox(g): return g.anchorsPerLocation
        }
    }

    /// The anchors for the network's feature map sizes, normalised to [0, 1], in head output order.
    package func anchors(featureMaps: [GridSize], inputWidth: Int, inputHeight: Int) throws -> [CenterSizeBox] {
        switch self {
        case let .torchvision(g): return try g.anchors(featureMaps: featureMaps, imageWidth: inputWidth, imageHeight: inputHeight)
        case let .tensorFlow(g): return try g.anchors(featureMaps: featureMaps, imageWidth: inputWidth, imageHeight: inputHeight)
        case let .priorBox(g):
            let expected = g.layers.map { GridSize(square: $0.featureMapSize) }
            guard expected == featureMaps else {
                throw PostprocessError.invalidParameter(
                    field: "anchors.layers", value: "\(g.layers.map(\.featureMapSize))",
                    expected: "the network's feature map sizes \(featureMaps.map { "\($0.height)×\($0.width)" })")
            }
            return g.anchors()
        }
    }
}

/// One `layers` entry of a `prior_box` anchor config.
struct PriorBoxLayer: Decodable {
    var layer: PriorBoxGenerator.Layer

    enum CodingKeys: String, CodingKey, CaseIterable {
        case featureMapSize = "feature_map_size"
        case shrinkage
        case minSize = "min_size"
        case maxSize = "max_size"
        case aspectRatios = "aspect_ratios"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = PriorBoxGenerator.Layer(
            featureMapSize: try c.decode(Int.self, forKey: .featureMapSize), shrinkage: try c.decode(Double.self, forKey: .shrinkage),
            minSize: try c.decode(Double.self, forKey: .minSize), maxSize: try c.decodeIfPresent(Double.self, forKey: .maxSize),
            aspectRatios: try c.decode([Double].self, forKey: .aspectRatios))
    }
}
