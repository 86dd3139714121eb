import LiteDetectPostprocess
import XCTest

/// The whole per-frame pipeline against torchvision `SSD.postprocess_detections` and the TensorFlow
/// Object Detection API SSD postprocessing, on random head outputs for real anchor sets.
final class DetectionPostprocessorTests: XCTestCase {
    /// One reference detection.
    private struct Expected {
        var classID: Int
        var score: Float
        var box: Box
        var anchorIndex: Int?
    }

    /// Requires the same detections: same count, each expected one matched by an unused actual one
    /// with the same class and anchor, box within `boxTolerance` pixels and score within 1e-5,
    /// whose rank differs only among scores closer than 1e-5 (the references sort ties unstably).
    private func assertSameDetections(
        _ actual: [Detection], _ expected: [Expected], boxTolerance: Float, _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, "\(label): detection count", file: file, line: line)
        XCTAssert(zip(actual, actual.dropFirst()).allSatisfy { $0.score >= $1.score }, "\(label): not sorted", file: file, line: line)
        var used = Set<Int>()
        for (rank, reference) in expected.enumerated() {
            let match = actual.indices.first { index in
                !used.contains(index) && actual[index].classID == reference.classID
                    && (reference.anchorIndex == nil || actual[index].anchorIndex == reference.anchorIndex)
                    && abs(actual[index].score - reference.score) <= 1e-5
                    && (index == rank || abs(actual[rank].score - reference.score) <= 1e-5)
                    && [
                        actual[index].box.x1 - reference.box.x1, actual[index].box.y1 - reference.box.y1,
                        actual[index].box.x2 - reference.box.x2, actual[index].box.y2 - reference.box.y2,
                    ]
                    .allSatisfy { abs($0) <= boxTolerance }
            }
            guard let match else {
                XCTFail(
                    "\(label): reference #\(rank) \(reference) has no match (actual #\(rank): \(rank < actual.count ? "\(actual[rank])" : "none"))",
                    file: file, line: line)
                return
            }
            used.insert(match)
        }
    }

    private func ssdlite320Anchors() throws -> [CenterSizeBox] {
        try TorchvisionDefaultBoxGenerator(aspectRatios: Array(repeating: [2, 3], count: 6), minRatio: 0.2, maxRatio: 0.95)
            .anchors(featureMaps: [20, 10, 5, 3, 2, 1].map(GridSize.init(square:)), imageWidth: 320, imageHeight: 320)
    }

    func testReproducesTorchvisionSSDPostprocessDetections() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_postprocess")
        let columns: Int = try fixture.setting("numClasses")
        let original: [Int] = try fixture.setting("originalSize")  // (height, width)
        let configuration = PostprocessConfiguration.torchvisionSSD(
            logitColumns: columns,
            scoreThreshold: Float(try fixture.setting("scoreThreshold", as: Double.self)),
            iouThreshold: try fixture.setting("iouThreshold"),
            candidatesPerClass: try fixture.setting("topkCandidates"),
            maxDetections: try fixture.setting("detectionsPerImage"))
        var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: try ssdlite320Anchors())
        let boxes = try fixture.boxes("boxes")
        let scores = try fixture.floats("scores")
        let labels = try fixture.ints("labels")
        let expected = boxes.indices.map { Expected(classID: labels[$0], score: scores[$0], box: boxes[$0], anchorIndex: nil) }
        XCTAssertEqual(expected.count, 300)
        XCTAssertGreaterThan(boxes.filter { $0.width == 0 }.count, 10, "the fixture must contain boxes clipped to nothing")

        var detections: [Detection] = []
        let regressions = try fixture.floats("regressions"), logits = try fixture.floats("logits")
        let transform = NormalizedToImageTransform.stretched(toWidth: original[1], height: original[0])
        try postprocessor.process(boxRegressions: regressions, classLogits: logits, transform: transform, into: &detections)
        assertSameDetections(detections, expected, boxTolerance: 1e-3, "torchvision")

        // The same outputs read level by level from separate buffers, as a network leaves them
        // (SSDLite320's six levels: 20², 10², 5², 3², 2², 1² cells × 6 anchors).
        var levelBuffers: [(boxes: [Float], logits: [Float])] = []
        var start = 0
        for cells in [400, 100, 25, 9, 4, 1] {
            let anchors = start..<(start + 6 * cells)
            levelBuffers.append(
                (
                    Array(regressions[(4 * anchors.lowerBound)..<(4 * anchors.upperBound)]),
                    Array(logits[(columns * anchors.lowerBound)..<(columns * anchors.upperBound)])
                ))
            start = anchors.upperBound
        }
        XCTAssertEqual(start * 4, regressions.count)
        var levelDetections: [Detection] = []
        try withLevels(levelBuffers) { levels in
            try postprocessor.process(levels: levels, transform: transform, into: &levelDetections)
        }
        assertSameDetections(levelDetections, expected, boxTolerance: 1e-3, "torchvision, level by level")
    }

    /// Lends `buffers` as `HeadOutputLevel`s for the duration of `body`.
    private func withLevels(
        _ buffers: [(boxes: [Float], logits: [Float])], _ body: (UnsafeBufferPointer<HeadOutputLevel>) throws -> Void
    ) throws {
        // Pointers must stay valid: copy into storage owned here for the duration of the call.
        let boxes = buffers.map { buffer in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: buffer.boxes.count)
            pointer.initialize(from: buffer.boxes, count: buffer.boxes.count)
            return pointer
        }
        let logits = buffers.map { buffer in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: buffer.logits.count)
            pointer.initialize(from: buffer.logits, count: buffer.logits.count)
            return pointer
        }
        defer { (boxes + logits).forEach { $0.deallocate() } }
        let levels = buffers.indices.map {
            HeadOutputLevel(boxRegressions: boxes[$0], classLogits: logits[$0], anchorCount: buffers[$0].boxes.count / 4)
        }
        try levels.withUnsafeBufferPointer(body)
    }

    func testReproducesTensorFlowSSDPostprocessing() throws {
        let fixture = try SafetensorsFixture(named: "tensorflow_postprocess")
        let anchors = try TensorFlowSSDAnchorGenerator(aspectRatios: [1.0, 2.0, 0.5, 3.0, 0.3333])
            .anchors(featureMaps: [19, 10, 5, 3, 2, 1].map(GridSize.init(square:)), imageWidth: 300, imageHeight: 300)
        let codes = try fixture.floats("codes")
        let logits = try fixture.floats("logits")
        let (width, height) = (640, 480)
        let softSigma: Double = try fixture.setting("softNMSSigma")
        for (prefix, agnostic, soft) in [("classaware", false, false), ("classagnostic", true, false), ("softnms", false, true)] {
            var configuration = PostprocessConfiguration.tensorFlowSSD(
                logitColumns: try fixture.setting("numColumns"),
                scoreThreshold: Float(try fixture.setting("scoreThreshold", as: Double.self)),
                iouThreshold: Float(try fixture.setting("iouThreshold", as: Double.self)),
                maxDetectionsPerClass: try fixture.setting("maxDetectionsPerClass"),
                maxDetections: try fixture.setting("maxTotalDetections"), classAgnostic: agnostic)
            if soft {
                // TensorFlow's soft_nms_sigma decays by exp(-0.5 IoU² / sigma): Bodla's sigma is twice it.
                configuration.suppression = .gaussian(sigma: Float(2 * softSigma))
            }
            var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: anchors)
            let boxes = try fixture.boxes("\(prefix).boxes", order: "yxyx")
            let scores = try fixture.floats("\(prefix).scores")
            let classes = try fixture.ints("\(prefix).classes")
            let anchorIndices = try fixture.ints("\(prefix).anchors")
            let pixels = NormalizedToImageTransform.stretched(toWidth: width, height: height)
            let expected = boxes.indices.map {
                // TensorFlow classes are 0-based foreground indices; label maps add 1.
                Expected(classID: classes[$0] + 1, score: scores[$0], box: pixels.apply(boxes[$0]), anchorIndex: anchorIndices[$0])
            }
            var detections: [Detection] = []
            try postprocessor.process(boxRegressions: codes, classLogits: logits, transform: pixels, into: &detections)
            assertSameDetections(detections, expected, boxTolerance: 1e-3, prefix)
        }
        let dropped: Int = try fixture.setting("classagnostic.detections")
        XCTAssertLessThan(dropped, 100, "the class-agnostic case must drop boxes clipped to nothing")
    }

    func testRepeatedFramesGiveIdenticalResultsInTheSameStorage() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_postprocess")
        var postprocessor = try DetectionPostprocessor(
            configuration: .torchvisionSSD(scoreThreshold: 0.001, iouThreshold: 0.55, candidatesPerClass: 300, maxDetections: 300),
            anchors: try ssdlite320Anchors())
        let regressions = try fixture.floats("regressions")
        let logits = try fixture.floats("logits")
        var detections: [Detection] = []
        try postprocessor.process(boxRegressions: regressions, classLogits: logits, transform: .identity, into: &detections)
        let first = detections
        let capacity = detections.capacity
        try postprocessor.process(boxRegressions: regressions, classLogits: logits, transform: .identity, into: &detections)
        XCTAssertEqual(detections, first)
        XCTAssertEqual(detections.capacity, capacity, "the output array must be reused, not reallocated")
        XCTAssertTrue(detections.allSatisfy { $0.box.x1 >= 0 && $0.box.x2 <= 1 }, "torchvision clips before NMS")
    }

    func testClassIDTableAndWrongBufferSizes() throws {
        // One anchor, three columns (background + 2 classes): class 1 wins under softmax.
        let anchor = CenterSizeBox(centerX: 0.5, centerY: 0.5, width: 0.2, height: 0.2)
        var configuration = PostprocessConfiguration.torchvisionSSD(logitColumns: 3, scoreThreshold: 0.5)
        configuration.classIDs = .table([17, 42])
        var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: [anchor])
        var detections: [Detection] = []
        try postprocessor.process(
            boxRegressions: [0, 0, 0, 0], classLogits: [0, 0, 5], transform: .stretched(toWidth: 100, height: 50), into: &detections)
        XCTAssertEqual(detections.count, 1)
        XCTAssertEqual(detections.first?.classID, 42)
        XCTAssertEqual(detections.first?.anchorIndex, 0)
        // softmax([0, 0, 5])[2] = e^5 / (2 + e^5); a zero code decodes to the anchor itself.
        XCTAssertEqual(detections.first?.score ?? 0, Float(exp(5.0) / (2 + exp(5.0))), accuracy: 1e-6)
        assertBoxesClose(detections.first!.box, Box(x1: 40, y1: 20, x2: 60, y2: 30), tolerance: 1e-5, "anchor box")

        XCTAssertThrowsError(
            try postprocessor.process(boxRegressions: [0, 0, 0], classLogits: [0, 0, 5], transform: .identity, into: &detections)
        ) { error in
            XCTAssertEqual(error as? PostprocessError, .bufferSizeMismatch(tensor: "boxRegressions", expected: 4, actual: 3))
            XCTAssertEqual("\(error)", "boxRegressions holds 3 floats, expected 4")
        }
        // Level by level: the levels must hold the anchors, no more, no fewer.
        let codes: [Float] = [0, 0, 0, 0, 0, 0, 0, 0], logits: [Float] = [0, 0, 5, 0, 0, 5]
        try codes.withUnsafeBufferPointer { codes in
            try logits.withUnsafeBufferPointer { logits in
                for (counts, expected) in [
                    ([2], PostprocessError.bufferSizeMismatch(tensor: "boxRegressions", expected: 4, actual: 8)),
                    ([1, -1], .invalidParameter(field: "levels[1].anchorCount", value: "-1", expected: "at least 0")),
                ] {
                    let levels = counts.map {
                        HeadOutputLevel(boxRegressions: codes.baseAddress!, classLogits: logits.baseAddress!, anchorCount: $0)
                    }
                    try levels.withUnsafeBufferPointer { levels in
                        XCTAssertThrowsError(try postprocessor.process(levels: levels, transform: .identity, into: &detections)) {
                            XCTAssertEqual($0 as? PostprocessError, expected, "\(counts)")
                        }
                    }
                }
            }
        }
        configuration.classIDs = .table([1])
        XCTAssertThrowsError(try DetectionPostprocessor(configuration: configuration, anchors: [anchor])) { error in
            XCTAssertEqual(
                error as? PostprocessError,
                .lengthMismatch(field: "classIDs table", count: 1, otherField: "foreground classes", otherCount: 2))
        }
    }

    func testScoreConversionIsStableForExtremeLogits() throws {
        // Logits that overflow a naive exp: softmax and sigmoid must stay finite and exact in the limit.
        let anchor = CenterSizeBox(centerX: 0.5, centerY: 0.5, width: 0.2, height: 0.2)
        for conversion in [ScoreConversion.softmax, .sigmoid] {
            var configuration = PostprocessConfiguration.torchvisionSSD(logitColumns: 3, scoreThreshold: -1)
            configuration.scoreConversion = conversion
            configuration.maxDetections = 10
            configuration.suppression = .hard(iouThreshold: 1)
            var postprocessor = try DetectionPostprocessor(configuration: configuration, anchors: [anchor])
            var detections: [Detection] = []
            try postprocessor.process(
                boxRegressions: [0, 0, 0, 0], classLogits: [-1000, 1000, -1000], transform: .identity, into: &detections)
            XCTAssertEqual(detections.map(\.score), [1, 0], "\(conversion)")
            XCTAssertEqual(detections.map(\.classID), [1, 2], "\(conversion)")
        }
    }
}
