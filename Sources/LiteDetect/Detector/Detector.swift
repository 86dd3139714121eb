import Foundation
import LiteDetectBackbones
import LiteDetectNN
import LiteDetectPostprocess

/// Where a detector's parameters come from.
public enum WeightsChoice: Sendable, Hashable {
    /// The weights file the model config names (an error when it names none).
    case configured
    /// A safetensors file with the model's keys.
    case file(String)
    /// Seeded random parameters: for speed and plumbing checks only — the detections are noise.
    case random(seed: UInt64)
}

/// A detection model loaded once: network with packed weights, anchors and postprocessing
/// defaults. Immutable and `Sendable`: share one across threads and give each its own
/// `DetectorSession`, which owns all per-frame memory.
public final class Detector: Sendable {
    public let config: ModelConfig
    package let detectionNetwork: DetectionNetwork
    /// Normalised center-size anchors, in head-output order.
    package let anchors: [CenterSizeBox]
    /// What the weights were (a file path, or random with its seed).
    public let weights: WeightsChoice
    /// What the convolutions multiply in. Float32 unless asked for at load: bfloat16's accuracy
    /// is measured per model (docs/MODELS.md).
    public let precision: KernelPrecision
    /// Each class id's label (`ModelConfig.labelsByClassID`), looked up per detection.
    let labelsByClassID: [Int: String]

    /// Loads `config`'s network and weights. Weights are checked strictly: every tensor used,
    /// every shape as the config implies. `precision` bfloat16 needs a CPU with AVX512_BF16
    /// (`DetectorError.unsupportedPrecision` otherwise).
    public convenience init(config: ModelConfig, weights: WeightsChoice = .configured, precision: KernelPrecision = .float32) throws {
        var resolved = weights
        let source: any WeightSource
        switch weights {
        case .configured:
            guard let path = config.weightsPath else {
                throw DetectorError.noTrainedWeights(model: config.name)
            }
            source = try SafeTensors.read(contentsOf: path).tensors
            resolved = .file(path)
        case let .file(path):
            source = try SafeTensors.read(contentsOf: path).tensors
        case let .random(seed):
            source = SeededRandomWeights(seed: seed)
        }
        try self.init(config: config, weightSource: source, description: resolved, precision: precision)
    }

    /// Builds the detector from any weight source (in-memory tensors, a generator);
    /// `description` records where they came from.
    package init(
        config: ModelConfig, weightSource source: any WeightSource, description: WeightsChoice,
        precision: KernelPrecision = .float32
    ) throws {
        if let reason = precision.unsupportedReason { throw DetectorError.unsupportedPrecision(precision, reason: reason) }
        // A config built in code skips the file's checks; a bad table would crash the label lookup.
        if let problem = config.classIDsProblem { throw DetectorError.invalidOption(name: "classIDs", problem: problem) }
        if let (key, problem) = config.postprocess.valueProblem {
            throw DetectorError.invalidOption(name: "postprocess.\(key.stringValue)", problem: problem)
        }
        let network = try DetectionNetwork(
            config.architecture, inputHeight: config.input.height, inputWidth: config.input.width, weights: source,
            precision: precision)
        self.config = config
        self.precision = precision
        self.detectionNetwork = network
        self.weights = description
        self.labelsByClassID = Dictionary(uniqueKeysWithValues: config.labelsByClassID)
        self.anchors = try config.anchors.anchors(
            featureMaps: network.levels.map { GridSize(height: $0.height, width: $0.width) },
            inputWidth: config.input.width, inputHeight: config.input.height)
        guard anchors.count == network.anchorCount else {
            throw GraphError.invalidLayer(
                name: "anchors", problem: "\(anchors.count) anchors for \(network.anchorCount) head outputs")
        }
    }

    /// Loads the model described by the config file at `path` (`ModelConfig.load(contentsOf:)`).
    public convenience init(configFile path: String, weights: WeightsChoice = .configured, precision: KernelPrecision = .float32) throws {
        try self.init(config: ModelConfig.load(contentsOf: path), weights: weights, precision: precision)
    }

    public var isRandomlyInitialised: Bool {
        if case .random = weights { return true }
        return false
    }

    /// The most threads one session's forward pass uses.
    public static let maximumSessionThreads = 256

    /// A per-thread object that owns every buffer a frame needs. Cheap next to loading.
    /// - Parameter threads: threads its forward pass may use (the calling thread included),
    ///   clamped to `1...Detector.maximumSessionThreads` (each thread has its own stack and
    ///   working memory); more than 1 only pays off when that many cores are otherwise idle.
    public func makeSession(threads: Int = 1) -> DetectorSession {
        DetectorSession(detector: self, threads: min(max(threads, 1), Self.maximumSessionThreads))
    }

    /// The postprocessing `DetectionPostprocessor` runs for `options` over this model's defaults.
    package func postprocessConfiguration(_ options: DetectionOptions) -> PostprocessConfiguration {
        let defaults = config.postprocess
        let iou = options.iouThreshold ?? defaults.iouThreshold
        let suppression: SuppressionMethod
        switch defaults.softNMS {
        case .gaussian?: suppression = .gaussian(sigma: defaults.softNMSSigma)
        case .linear?: suppression = .linear(iouThreshold: iou)
        case nil:
            // TensorFlow compares IoU with a float32 threshold, torchvision with a double.
            suppression = .hard(iouThreshold: defaults.style == .tensorflow ? Double(Float(iou)) : iou)
        }
        // A class filter is applied after suppression (per-class NMS makes that exact), so keep
        // every candidate until then.
        let maxDetections = options.maxDetections ?? defaults.maxDetections
        let uncapped = options.classIDs == nil ? maxDetections : anchors.count * (config.classColumns - 1)
        return PostprocessConfiguration(
            boxCoder: config.boxCoder.coder, scoreConversion: config.scores.conversion, logitColumns: config.classColumns,
            hasBackgroundColumn: true, scoreThreshold: options.scoreThreshold ?? defaults.scoreThreshold,
            candidatesPerClass: defaults.style == .torchvision ? defaults.topK : nil, suppression: suppression,
            classAgnostic: options.classAgnostic ?? defaults.classAgnostic,
            maxDetectionsPerClass: defaults.style == .tensorflow ? defaults.maxPerClass : nil,
            maxDetections: uncapped,
            clipping: defaults.clipBoxes.postprocessClipping,
            classIDs: config.classIDs.map { .table(Array($0.dropFirst())) } ?? .offset(1))
    }

    /// Class ids (as detections report them) for label names (case-insensitive); unknown names are
    /// an error listing the labels.
    public func classIDs(forLabels names: [String]) throws(DetectorError) -> Set<Int> {
        var ids: Set<Int> = []
        for name in names {
            let matches = config.labelsByClassID.filter { $0.label.lowercased() == name.lowercased() }.map(\.classID)
            guard !matches.isEmpty else {
                let known = Array(Set(config.classNames)).sorted()
                throw .invalidOption(name: "class '\(name)'", problem: "model \(config.name) knows: \(known.joined(separator: ", "))")
            }
            ids.formUnion(matches)
        }
        return ids
    }
}

extension PostprocessConfig.BoxClipping {
    var postprocessClipping: PostprocessConfiguration.BoxClipping {
        switch self {
        case .beforeNMS: return .beforeSuppression
        case .beforeNMSDroppingEmpty: return .beforeSuppressionDroppingEmpty
        case .afterNMSDroppingEmpty: return .afterSuppressionDroppingEmpty
        case .none: return .none
        }
    }
}
