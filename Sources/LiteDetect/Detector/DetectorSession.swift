import LiteDetectImage
import LiteDetectKernels
import LiteDetectNN
import LiteDetectPostprocess

/// Everything one thread needs to run a `Detector` on frame after frame: the network's arena,
/// the preprocessing plan for the current frame size, the postprocessing workspace, the
/// gathered head outputs and the RGB buffer raw frames are converted into. After the first
/// frame of a given size, row stride and options, `detect(_:options:metadata:into:)` allocates
/// nothing; `detect(_:options:)` allocates only the result it returns.
public final class DetectorSession {
    public let detector: Detector
    let network: NetworkSession
    var preprocessor: Preprocessor?
    var postprocessor: DetectionPostprocessor?
    /// Where the network writes each level's head outputs (its arena lives as long as the
    /// session), found on the first frame; the postprocessor reads them there.
    var headLevels: [HeadOutputLevel] = []
    var rawDetections: [Detection] = []
    /// Where `PixelFrame`s become RGB for the preprocessor; remade only when the frame size changes.
    var convertedFrame: RGBImage?

    /// Threads its forward pass uses (1 when the pool could not be started).
    package var threadCount: Int { network.threadCount }

    init(detector: Detector, threads: Int = 1) {
        self.detector = detector
        network = NetworkSession(network: detector.detectionNetwork.network, threads: threads)
    }

    /// Detects objects in `image`; boxes come back in its pixels.
    public func detect(_ image: RGBImage, options: DetectionOptions = DetectionOptions()) throws -> DetectionResult {
        var result = DetectionResult()
        try detect(image, options: options, into: &result)
        return result
    }

    /// RGB8 pixels for the preprocessor: an image, or rows borrowed from a caller's buffer.
    enum RGBSource {
        case image(RGBImage)
        case borrowed(UnsafeRawBufferPointer, width: Int, height: Int, bytesPerRow: Int)

        var size: (width: Int, height: Int, bytesPerRow: Int) {
            switch self {
            case let .image(image): return (image.width, image.height, image.bytesPerRow)
            case let .borrowed(_, width, height, bytesPerRow): return (width, height, bytesPerRow)
            }
        }
    }

    /// The whole pipeline on RGB8 pixels already in memory, writing into `result` (its arrays
    /// keep their capacity). `conversion` is time already spent making them from a raw frame,
    /// counted as preprocessing.
    func run(
        _ source: RGBSource, options: DetectionOptions, metadata frame: FrameMetadata?, conversion: Duration, into result: inout DetectionResult
    ) throws {
        try options.validate()
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = try preprocess(source)
        let preprocessed = clock.now
        network.run()
        let inferred = clock.now
        try postprocess(geometry: geometry, options: options, into: &result.detections)
        let finished = clock.now
        (result.imageWidth, result.imageHeight) = (source.size.width, source.size.height)
        result.frame = frame
        result.timing = StageTiming(
            preprocess: conversion + (preprocessed - start), inference: inferred - preprocessed, postprocess: finished - inferred)
    }

    /// Raw network access for tests and tools: the input buffer (NHWC) and named outputs.
    package var networkSession: NetworkSession { network }

    // MARK: Stages

    private func preprocess(_ source: RGBSource) throws -> ResizeGeometry {
        let input = detector.config.input
        let (width, height, bytesPerRow) = source.size
        if preprocessor?.geometry.sourceWidth != width || preprocessor?.geometry.sourceHeight != height
            || preprocessor?.sourceBytesPerRow != bytesPerRow
        {
            preprocessor = try Preprocessor(
                sourceWidth: width, sourceHeight: height, sourceBytesPerRow: bytesPerRow, options: input.preprocessOptions)
        }
        let view = network.input
        let tensor = UnsafeMutableBufferPointer(start: view.base, count: view.shape.elementCount)
        switch source {
        case let .image(image): try preprocessor!.run(image, into: tensor)
        case let .borrowed(pixels, _, _, _): try preprocessor!.run(pixels: pixels, into: tensor)
        }
        return preprocessor!.geometry
    }

    /// Decodes and suppresses the per-level head outputs.
    private func postprocess(geometry: ResizeGeometry, options: DetectionOptions, into detections: inout [LabeledDetection]) throws {
        let configuration = detector.postprocessConfiguration(options)
        if postprocessor?.configuration != configuration {
            postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: detector.anchors)
        }
        if headLevels.isEmpty { headLevels = try findHeadLevels() }
        // Normalised network coordinates → original pixels through the letterbox/stretch placement.
        let transform = NormalizedToImageTransform(
            scaleX: Float(Double(geometry.targetWidth) / geometry.scaleX), scaleY: Float(Double(geometry.targetHeight) / geometry.scaleY),
            offsetX: Float(-Double(geometry.contentX) / geometry.scaleX), offsetY: Float(-Double(geometry.contentY) / geometry.scaleY))
        try headLevels.withUnsafeBufferPointer { levels in
            try postprocessor!.process(levels: levels, transform: transform, into: &rawDetections)
        }
        let limit = options.maxDetections ?? detector.config.postprocess.maxDetections
        // The most a frame can give, so that a reused result never grows (allocates) later.
        detections.removeAll(keepingCapacity: true)
        detections.reserveCapacity(limit)
        for raw in rawDetections where options.classIDs?.contains(raw.classID) ?? true {
            if detections.count == limit { break }
            let box = clampedToImage(raw.box, geometry: geometry)
            detections.append(LabeledDetection(classID: raw.classID, label: detector.labelsByClassID[raw.classID] ?? "", score: raw.score, box: box))
        }
    }

    /// Each level's head outputs in the network's arena, in anchor order.
    private func findHeadLevels() throws -> [HeadOutputLevel] {
        let columns = detector.config.classColumns
        return try detector.detectionNetwork.levels.map { level in
            let boxView = try network.output(level.boxesOutput)
            let logitView = try network.output(level.scoresOutput)
            // The postprocessor reads rows back to back: the views must have no gaps between pixels.
            precondition(
                boxView.isContiguous && logitView.isContiguous,
                "head outputs are stored contiguously")
            let anchorCount = boxView.shape.elementCount / 4
            precondition(anchorCount * columns == logitView.shape.elementCount, "box and class heads agree on anchors")
            return HeadOutputLevel(
                boxRegressions: UnsafePointer(boxView.base), classLogits: UnsafePointer(logitView.base), anchorCount: anchorCount)
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
