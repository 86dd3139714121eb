import LiteDetectImage
import LiteDetectKernels
import LiteDetectNN
import LiteDetectPostprocess

/// Everything one thread needs to run a `Detector` on frame after frame: the network's arena,
/// the preprocessing plan for the current frame size, the postprocessing workspace and the
/// gathered head outputs. After the first frame of a given size (and options), `detect`
/// allocates nothing but the returned result.
public final class DetectorSession {
    public let detector: Detector
    private let network: NetworkSession
    private var preprocessor: Preprocessor?
    private var postprocessor: DetectionPostprocessor?
    private var boxes: [Float]
    private var logits: [Float]
    private var rawDetections: [Detection] = []

    init(detector: Detector) {
        self.detector = detector
        network = NetworkSession(network: detector.detectionNetwork.network)
        boxes = [Float](repeating: 0, count: detector.anchors.count * 4)
        logits = [Float](repeating: 0, count: detector.anchors.count * detector.config.classColumns)
    }

    /// Detects objects in `image`; boxes come back in its pixels.
    public func detect(_ image: RGBImage, options: DetectionOptions = DetectionOptions()) throws -> DetectionResult {
        try options.validate()
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = try preprocess(image)
        let preprocessed = clock.now
        network.run()
        let inferred = clock.now
        var detections: [LabeledDetection] = []
        try postprocess(geometry: geometry, options: options, into: &detections)
        let finished = clock.now
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
        return DetectionResult(
            imageWidth: image.width, imageHeight: image.height, detections: detections,
            timing: StageTiming(preprocess: ms(preprocessed - start), inference: ms(inferred - preprocessed), postprocess: ms(finished - inferred)))
    }

    /// Raw network access for tests and tools: the input buffer (NHWC) and named outputs.
    public var networkSession: NetworkSession { network }

    // MARK: Stages

    private func preprocess(_ image: RGBImage) throws -> ResizeGeometry {
        let input = detector.config.input
        if preprocessor?.geometry.sourceWidth != image.width || preprocessor?.geometry.sourceHeight != image.height
            || preprocessor?.sourceBytesPerRow != image.bytesPerRow
        {
            preprocessor = try Preprocessor(
                sourceWidth: image.width, sourceHeight: image.height, sourceBytesPerRow: image.bytesPerRow,
                options: input.preprocessOptions)
        }
        let view = network.input
        try preprocessor!.run(image, into: UnsafeMutableBufferPointer(start: view.base, count: view.shape.elementCount))
        return preprocessor!.geometry
    }

    /// Gathers the per-level head outputs into anchor order, decodes and suppresses.
    private func postprocess(geometry: ResizeGeometry, options: DetectionOptions, into detections: inout [LabeledDetection]) throws {
        let configuration = detector.postprocessConfiguration(options)
        if postprocessor?.configuration != configuration {
            postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: detector.anchors)
        }
        try gatherHeadOutputs()
        // Normalised network coordinates → original pixels through the letterbox/stretch placement.
        let transform = NormalizedToImageTransform(
            scaleX: Float(Double(geometry.targetWidth) / geometry.scaleX), scaleY: Float(Double(geometry.targetHeight) / geometry.scaleY),
            offsetX: Float(-Double(geometry.contentX) / geometry.scaleX), offsetY: Float(-Double(geometry.contentY) / geometry.scaleY))
        try boxes.withUnsafeBufferPointer { boxes in
            try logits.withUnsafeBufferPointer { logits in
                try postprocessor!.process(boxRegressions: boxes, classLogits: logits, transform: transform, into: &rawDetections)
            }
        }
        let labels = detector.config.labels
        let limit = options.maxDetections ?? detector.config.postprocess.maxDetections
        detections.reserveCapacity(min(rawDetections.count, limit))
        for raw in rawDetections where options.classIDs?.contains(raw.classID) ?? true {
            if detections.count == limit { break }
            let box = clampedToImage(raw.box, geometry: geometry)
            detections.append(LabeledDetection(classID: raw.classID, label: labels[raw.classID], score: raw.score, box: box))
        }
    }

    private func gatherHeadOutputs() throws {
        let columns = detector.config.classColumns
        var boxOffset = 0, logitOffset = 0
        for level in detector.detectionNetwork.levels {
            let boxView = try network.output(level.boxesOutput)
            let logitView = try network.output(level.scoresOutput)
            let boxCount = boxView.shape.elementCount, logitCount = logitView.shape.elementCount
            boxes.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: boxOffset).update(from: boxView.base, count: boxCount) }
            logits.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: logitOffset).update(from: logitView.base, count: logitCount) }
            boxOffset += boxCount
            logitOffset += logitCount
            assert(boxCount / 4 == logitCount / columns)
        }
    }

    /// Letterboxed models can predict boxes reaching into the padding; report only the image part.
    private func clampedToImage(_ box: Box, geometry: ResizeGeometry) -> Box {
        guard geometry.contentWidth != geometry.targetWidth || geometry.contentHeight != geometry.targetHeight else { return box }
        return Box(
            x1: min(max(box.x1, 0), Float(geometry.sourceWidth)), y1: min(max(box.y1, 0), Float(geometry.sourceHeight)),
            x2: min(max(box.x2, 0), Float(geometry.sourceWidth)), y2: min(max(box.y2, 0), Float(geometry.sourceHeight)))
    }
}
