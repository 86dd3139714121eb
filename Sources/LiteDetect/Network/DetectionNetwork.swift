import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN

/// The layers of an SSD-style detector: a backbone's stride-16 and stride-32 maps, extra layers
/// down to 1×1, and a box and a class predictor on every level.
///
/// Weight keys follow torchvision's SSD models: `backbone.<backbone keys>`, `backbone.extra.<i>.*`,
/// `head.regression_head.module_list.<level>.*`, `head.classification_head.module_list.<level>.*`.
/// Imported models (TensorFlow, Caffe) are converted to these names.
package struct DetectionArchitecture: Sendable, Hashable {
    package var backbone: BackboneConfiguration
    /// Output channels of each extra layer (torchvision SSDLite: 512, 256, 256, 128).
    package var extraLayers: [Int]
    package var extraBlock: SSDExtraBlockType
    /// Activation of the extra layers and the SSDLite head (torchvision and TF: ReLU6; Caffe MobileNet-SSD: ReLU).
    package var extraActivation: Activation
    package var head: SSDHeadType
    /// Kernel of the `ssd` head's convolution.
    package var headKernel: Int
    /// Anchors per cell on each level (2 + extra layers levels).
    package var anchorsPerLevel: [Int]
    /// Class columns the classifier predicts, background included when the model has one.
    package var classColumns: Int
    package var padding: GraphBuilder.PaddingConvention
    /// BatchNorm epsilon of the extra layers and the head (torchvision SSDLite and TF: 1e-3).
    package var headBatchNormEpsilon: Double
    /// Whether BatchNorm tensors are stored, or already folded into convolution biases.
    package var batchNorm: GraphBuilder.BatchNormStorage

    package init(
        backbone: BackboneConfiguration, extraLayers: [Int] = [512, 256, 256, 128], extraBlock: SSDExtraBlockType = .ssdLite,
        extraActivation: Activation = .relu6, head: SSDHeadType = .ssdLite, headKernel: Int = 3,
        anchorsPerLevel: [Int], classColumns: Int, padding: GraphBuilder.PaddingConvention = .pyTorch,
        headBatchNormEpsilon: Double = 1e-3, batchNorm: GraphBuilder.BatchNormStorage = .separate
    ) {
        self.backbone = backbone
        self.extraLayers = extraLayers
        self.extraBlock = extraBlock
        self.extraActivation = extraActivation
        self.head = head
        self.headKernel = headKernel
        self.anchorsPerLevel = anchorsPerLevel
        self.classColumns = classColumns
        self.padding = padding
        self.headBatchNormEpsilon = headBatchNormEpsilon
        self.batchNorm = batchNorm
    }

    package var levelCount: Int { 2 + extraLayers.count }
}

/// A built detection network and where each level's predictions come out.
package struct DetectionNetwork: Sendable {
    package struct Level: Sendable, Hashable {
        /// Output names in the network: `H×W×(anchors·4)` and `H×W×(anchors·classColumns)`.
        package var boxesOutput: String
        package var scoresOutput: String
        package var height: Int
        package var width: Int
        package var anchors: Int
    }

    package let network: Network
    package let architecture: DetectionArchitecture
    package let levels: [Level]

    /// Total anchors over all levels, in the order the predictions are read.
    package var anchorCount: Int { levels.reduce(0) { $0 + $1.height * $1.width * $1.anchors } }

    /// Builds the network for a fixed input size, taking weights from `weights` (strictly: every
    /// tensor used). Also outputs the backbone taps as `stride16`/`stride32` for inspection.
    /// `precision` is what the convolutions multiply in (`KernelPrecision`); it must be supported
    /// by this CPU.
    package init(
        _ architecture: DetectionArchitecture, inputHeight: Int, inputWidth: Int, weights: any WeightSource,
        precision: KernelPrecision = .float32
    ) throws {
        guard architecture.anchorsPerLevel.count == architecture.levelCount else {
            throw GraphError.invalidLayer(
                name: "head", problem: "\(architecture.anchorsPerLevel.count) anchor counts for \(architecture.levelCount) feature levels")
        }
        let g = GraphBuilder(weights: weights)
        g.paddingConvention = architecture.padding
        g.batchNormStorage = architecture.batchNorm
        g.precision = precision
        let input = g.input(FeatureMapShape(height: inputHeight, width: inputWidth, channels: 3))
        let features = try Backbones.build(architecture.backbone, on: g, input: input, prefix: "backbone.")
        g.batchNormEpsilon = architecture.headBatchNormEpsilon
        var maps = [features.stride16, features.stride32]
        for (i, channels) in architecture.extraLayers.enumerated() {
            maps.append(
                try g.ssdExtraBlock(
                    maps.last!, type: architecture.extraBlock, outputChannels: channels, activation: architecture.extraActivation,
                    at: "backbone.extra.\(i)"))
        }
        var outputs: [String: Value] = ["stride16": features.stride16, "stride32": features.stride32]
        var levels: [Level] = []
        for (i, map) in maps.enumerated() {
            let anchors = architecture.anchorsPerLevel[i]
            func prediction(_ outputs: Int, _ head: String) throws -> Value {
                try g.ssdPrediction(
                    map, type: architecture.head, kernel: architecture.headKernel, activation: architecture.extraActivation,
                    outputs: outputs, at: "head.\(head).module_list.\(i)")
            }
            let boxes = try prediction(anchors * 4, "regression_head")
            let scores = try prediction(anchors * architecture.classColumns, "classification_head")
            outputs["boxes.\(i)"] = boxes
            outputs["scores.\(i)"] = scores
            let shape = g.shape(of: map)
            levels.append(Level(boxesOutput: "boxes.\(i)", scoresOutput: "scores.\(i)", height: shape.height, width: shape.width, anchors: anchors))
        }
        self.network = try g.build(outputs: outputs)
        self.architecture = architecture
        self.levels = levels
    }
}
