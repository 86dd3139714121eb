import LiteDetectPostprocess
import XCTest

/// Anchors against the three reference generators (fixtures from Tools/reference/postprocess).
final class AnchorGeneratorTests: XCTestCase {
    /// Compares center-size anchors with reference values in normalised center-size form.
    private func assertAnchors(
        _ actual: [CenterSizeBox], expected: [(Double, Double, Double, Double)], tolerance: Double, _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, "\(label): anchor count", file: file, line: line)
        var worst = 0.0
        var worstIndex = 0
        for (index, (anchor, reference)) in zip(actual, expected).enumerated() {
            let differences = [
                Double(anchor.centerX) - reference.0, Double(anchor.centerY) - reference.1,
                Double(anchor.width) - reference.2, Double(anchor.height) - reference.3,
            ]
            let difference = differences.map(abs).max()!
            if difference > worst {
                worst = difference
                worstIndex = index
            }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(label): worst anchor \(worstIndex)", file: file, line: line)
    }

    func testTorchvisionDefaultBoxesMatchTorchvision() throws {
        let fixture = try SafetensorsFixture(named: "torchvision_anchors")
        let configs: [[String: Any]] = try fixture.setting("configs")
        XCTAssertEqual(configs.count, 4)
        for index in configs.indices {
            let name: String = try fixture.setting("configs", index, "name")
            let ratios: [[Double]] = try fixture.setting("configs", index, "aspectRatios")
            let generator = try TorchvisionDefaultBoxGenerator(
                aspectRatios: ratios,
                minRatio: try fixture.setting("configs", index, "minRatio"),
                maxRatio: try fixture.setting("configs", index, "maxRatio"),
                scales: configs[index]["scales"] as? [Double],
                steps: configs[index]["steps"] as? [Int],
                clip: try fixture.setting("configs", index, "clip"))
            let imageSize: [Int] = try fixture.setting("configs", index, "imageSize")  // (height, width)
            let grids: [[Int]] = try fixture.setting("configs", index, "featureMaps")
            let anchors = try generator.anchors(
                featureMaps: grids.map { GridSize(height: $0[0], width: $0[1]) },
                imageWidth: imageSize[1], imageHeight: imageSize[0])
            // torchvision returns pixel xyxy of the input: convert to normalised center-size.
            let width = Double(imageSize[1])
            let height = Double(imageSize[0])
            let reference = try fixture.boxes(name).map { box in
                (
                    (Double(box.x1) + Double(box.x2)) / 2 / width, (Double(box.y1) + Double(box.y2)) / 2 / height,
                    (Double(box.x2) - Double(box.x1)) / width, (Double(box.y2) - Double(box.y1)) / height
                )
            }
            assertAnchors(anchors, expected: reference, tolerance: 1e-6, name)
            XCTAssertEqual(
                anchors.count, zip(grids, generator.anchorsPerLocation).reduce(0) { $0 + $1.0[0] * $1.0[1] * $1.1 }, name)
        }
    }

    func testSSDLite320HasTheAnchorCountOfItsHead() throws {
        // ssdlite320_mobilenet_v3_large: 6 boxes per cell on 20², 10², 5², 3², 2², 1² grids.
        let generator = try TorchvisionDefaultBoxGenerator(
            aspectRatios: Array(repeating: [2, 3], count: 6), minRatio: 0.2, maxRatio: 0.95)
        let anchors = try generator.anchors(
            featureMaps: [20, 10, 5, 3, 2, 1].map(GridSize.init(square:)), imageWidth: 320, imageHeight: 320)
        XCTAssertEqual(anchors.count, 6 * (400 + 100 + 25 + 9 + 4 + 1))
    }

    func testTensorFlowSSDAnchorsMatchObjectDetectionAPI() throws {
        let fixture = try SafetensorsFixture(named: "tensorflow_anchors")
        let configs: [[String: Any]] = try fixture.setting("configs")
        XCTAssertEqual(configs.count, 3)
        for index in configs.indices {
            let config = configs[index]
            let name: String = try fixture.setting("configs", index, "name")
            let base = config["baseAnchorSize"] as? [Double] ?? [1, 1]
            let pairs = { (key: String) -> [TensorFlowSSDAnchorGenerator.PixelPair]? in
                (config[key] as? [[Double]])?.map { TensorFlowSSDAnchorGenerator.PixelPair(y: $0[0], x: $0[1]) }
            }
            let generator = try TensorFlowSSDAnchorGenerator(
                numLayers: try fixture.setting("configs", index, "numLayers"),
                minScale: try fixture.setting("configs", index, "minScale"),
                maxScale: try fixture.setting("configs", index, "maxScale"),
                scales: config["scales"] as? [Double],
                aspectRatios: try fixture.setting("configs", index, "aspectRatios"),
                interpolatedScaleAspectRatio: try fixture.setting("configs", index, "interpolatedScaleAspectRatio"),
                baseAnchorSize: (base[0], base[1]),
                anchorStrides: pairs("anchorStrides"), anchorOffsets: pairs("anchorOffsets"),
                reduceBoxesInLowestLayer: try fixture.setting("configs", index, "reduceBoxesInLowestLayer"))
            let imageSize: [Int] = try fixture.setting("configs", index, "imageSize")  // (height, width)
            let grids: [[Int]] = try fixture.setting("configs", index, "featureMaps")
            let anchors = try generator.anchors(
                featureMaps: grids.map { GridSize(height: $0[0], width: $0[1]) },
                imageWidth: imageSize[1], imageHeight: imageSize[0])
            // TensorFlow stores [ymin, xmin, ymax, xmax], normalised.
            let reference = try fixture.boxes(name, order: "yxyx").map { box in
                (
                    (Double(box.x1) + Double(box.x2)) / 2, (Double(box.y1) + Double(box.y2)) / 2,
                    Double(box.x2) - Double(box.x1), Double(box.y2) - Double(box.y1)
                )
            }
            assertAnchors(anchors, expected: reference, tolerance: 1e-6, name)
        }
    }

    func testSSDLiteMobileNetV2ConfigHas1917Anchors() throws {
        let generator = try TensorFlowSSDAnchorGenerator(aspectRatios: [1.0, 2.0, 0.5, 3.0, 0.3333])
        XCTAssertEqual(generator.anchorsPerLocation, [3, 6, 6, 6, 6, 6])
        let anchors = try generator.anchors(
            featureMaps: [19, 10, 5, 3, 2, 1].map(GridSize.init(square:)), imageWidth: 300, imageHeight: 300)
        XCTAssertEqual(anchors.count, 1917)
    }

    func testPriorBoxesMatchPytorchSSD() throws {
        let fixture = try SafetensorsFixture(named: "pytorch_ssd_priors")
        let imageSize: Double = try fixture.setting("imageSize")
        func layers(_ key: String) throws -> [PriorBoxGenerator.Layer] {
            let specs: [[String: Any]] = try fixture.setting("specs", key)
            return specs.map { spec in
                PriorBoxGenerator.Layer(
                    featureMapSize: spec["featureMapSize"] as! Int, shrinkage: (spec["shrinkage"] as! NSNumber).doubleValue,
                    minSize: (spec["minSize"] as! NSNumber).doubleValue, maxSize: (spec["maxSize"] as! NSNumber).doubleValue,
                    aspectRatios: (spec["aspectRatios"] as! [NSNumber]).map(\.doubleValue))
            }
        }
        let cases: [(tensor: String, specs: String, clamp: Bool)] = [
            ("mobilenetv1_ssd", "mobilenetv1_ssd", true), ("mobilenetv1_ssd_unclamped", "mobilenetv1_ssd", false),
            ("ssd300", "ssd300", true),
        ]
        for (tensor, specs, clamp) in cases {
            let generator = try PriorBoxGenerator(layers: try layers(specs), imageSize: imageSize, clamp: clamp)
            let reference = try fixture.floats(tensor).chunked4()  // [center_x, center_y, w, h], normalised
            assertAnchors(generator.anchors(), expected: reference, tolerance: 1e-6, tensor)
        }
        // The built-in MobileNetV1-SSD table is the fixture's spec list.
        assertAnchors(
            PriorBoxGenerator.mobileNetV1SSD().anchors(),
            expected: try fixture.floats("mobilenetv1_ssd").chunked4(), tolerance: 1e-6, "mobileNetV1SSD()")
    }

    func testInvalidConfigurationsAreRejectedWithTheField() {
        XCTAssertThrowsError(try TorchvisionDefaultBoxGenerator(aspectRatios: [[2], [0]])) { error in
            XCTAssertEqual(error as? PostprocessError, .invalidParameter(field: "aspectRatios[1]", value: "0.0", expected: "ratios > 0"))
        }
        XCTAssertThrowsError(try TorchvisionDefaultBoxGenerator(aspectRatios: [[2], [3]], steps: [8])) { error in
            XCTAssertEqual(error as? PostprocessError, .lengthMismatch(field: "steps", count: 1, otherField: "aspectRatios", otherCount: 2))
        }
        XCTAssertThrowsError(try TensorFlowSSDAnchorGenerator(numLayers: 3, scales: [0.1, 0.2])) { error in
            XCTAssertEqual(error as? PostprocessError, .lengthMismatch(field: "scales", count: 2, otherField: "numLayers", otherCount: 3))
        }
        XCTAssertThrowsError(
            try TensorFlowSSDAnchorGenerator(numLayers: 2).anchors(featureMaps: [GridSize(square: 3)], imageWidth: 300, imageHeight: 300)
        ) { error in
            XCTAssertEqual(error as? PostprocessError, .lengthMismatch(field: "featureMaps", count: 1, otherField: "boxSpecs", otherCount: 2))
            XCTAssertEqual(
                "\(error)", "featureMaps has 1 entries but boxSpecs has 2; they must match one to one")
        }
    }
}

extension Array where Element == Float {
    /// Rows of 4 as double tuples.
    func chunked4() -> [(Double, Double, Double, Double)] {
        var rows: [(Double, Double, Double, Double)] = []
        for base in stride(from: 0, to: count, by: 4) {
            let x = Double(self[base])
            let y = Double(self[base + 1])
            let width = Double(self[base + 2])
            let height = Double(self[base + 3])
            rows.append((x, y, width, height))
        }
        return rows
    }
}
