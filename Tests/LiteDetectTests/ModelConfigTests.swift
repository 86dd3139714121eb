import Foundation
import LiteDetect
import LiteDetectModels
import XCTest

/// Config files are strict: every mistake names the file and the key.
final class ModelConfigTests: XCTestCase {
    /// A valid config as a JSON object, to be broken one key at a time.
    private func validConfig() throws -> [String: Any] {
        let url = ModelCatalog.bundled.directory.appendingPathComponent("models/ssdlite320-mobilenetv3-large.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func parse(_ object: [String: Any]) throws -> ModelConfig {
        try ModelConfig.parse(JSONSerialization.data(withJSONObject: object), name: "test.json")
    }

    private func expect(_ object: [String: Any], _ expected: ConfigError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(object), file: file, line: line) { error in
            XCTAssertEqual(error as? ConfigError, expected, file: file, line: line)
        }
    }

    func testEveryBundledConfigLoads() throws {
        let names = ModelCatalog.bundled.names
        for backbone in BackboneName.allCases {
            XCTAssertTrue(names.contains("ssdlite320-\(backbone.rawValue)"), "missing config for \(backbone)")
        }
        for name in names {
            let config = try ModelCatalog.bundled.config(named: name)
            XCTAssertEqual(config.name, name, "a config's name must match its file name")
            XCTAssertEqual(config.architecture.anchorsPerLevel.count, config.architecture.levelCount)
        }
    }

    func testTorchvisionConfigMatchesTorchvisionDefaults() throws {
        // ssdlite320_mobilenet_v3_large: 91 classes, 6 anchors per location on 6 levels, score 0.001, IoU 0.55, 300/300.
        let config = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-large")
        XCTAssertEqual(config.classColumns, 91)
        XCTAssertEqual(config.labels[1], "person")
        XCTAssertEqual(config.architecture.anchorsPerLevel, [6, 6, 6, 6, 6, 6])
        XCTAssertEqual(config.postprocess.scoreThreshold, 0.001)
        XCTAssertEqual(config.postprocess.iouThreshold, 0.55)
        XCTAssertEqual(config.postprocess.topK, 300)
        XCTAssertEqual(config.postprocess.maxDetections, 300)
        XCTAssertEqual(config.input.normalization, .meanStd(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]))
        XCTAssertEqual(config.input.preprocessOptions.convention, .halfPixel)
    }

    func testUnknownKeysAreNamedWithTheValidOnes() throws {
        var object = try validConfig()
        object["wieghts"] = "x.safetensors"
        XCTAssertThrowsError(try parse(object)) { error in
            guard case let .unknownKey(file, key, valid) = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "test.json")
            XCTAssertEqual(key, "wieghts")
            XCTAssertTrue(valid.contains("weights"))
        }
        object = try validConfig()
        var anchors = object["anchors"] as! [String: Any]
        anchors["min_scale"] = 0.2  // a TF key in a torchvision anchor section
        object["anchors"] = anchors
        XCTAssertThrowsError(try parse(object)) { error in
            guard case let .unknownKey(_, key, _) = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "anchors.min_scale")
        }
    }

    /// `accuracy` (what `detect models` shows): fractions with a statement of what was measured.
    func testAccuracyIsAFractionWithWhatWasMeasured() throws {
        var object = try validConfig()
        object["accuracy"] = ["AP": 0.25, "AP50": 0.5, "measured_on": "held-out pictures"]
        let accuracy = try XCTUnwrap(try parse(object).accuracy)
        XCTAssertEqual(accuracy.averagePrecision50, 0.5)
        XCTAssertEqual(accuracy.measuredOn, "held-out pictures")
        object["accuracy"] = ["AP": 0.25, "AP50": 50, "measured_on": "held-out pictures"]
        expect(object, .invalidValue(file: "test.json", key: "accuracy.AP50", problem: "must lie in 0...1"))
        object["accuracy"] = ["AP": 0.25, "AP50": 0.5, "measured_on": ""]
        expect(object, .invalidValue(file: "test.json", key: "accuracy.measured_on", problem: "must say what was measured"))
    }

    func testMissingAndMistypedKeys() throws {
        var object = try validConfig()
        object.removeValue(forKey: "labels")
        expect(object, .missingKey(file: "test.json", key: "labels"))
        object = try validConfig()
        var input = object["input"] as! [String: Any]
        input["width"] = "320"
        object["input"] = input
        expect(object, .wrongType(file: "test.json", key: "input.width", expected: "an integer"))
    }

    func testImpossibleValuesAreRefused() throws {
        var object = try validConfig()
        var backbone = object["backbone"] as! [String: Any]
        backbone["name"] = "mobilenetv4"
        object["backbone"] = backbone
        XCTAssertThrowsError(try parse(object)) { error in
            guard case let .invalidValue(_, key, problem) = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "backbone.name")
            XCTAssertTrue(problem.contains("mobilenetv3-small"), "should list the valid backbones: \(problem)")
        }
        object = try validConfig()
        var input = object["input"] as! [String: Any]
        input["std"] = [0.5, 0, 0.5]
        object["input"] = input
        expect(object, .invalidValue(file: "test.json", key: "input.std", problem: "must be positive"))
        object = try validConfig()
        var network = object["network"] as! [String: Any]
        network["extra_layers"] = [512, 256]
        object["network"] = network
        expect(
            object,
            .invalidValue(
                file: "test.json", key: "anchors",
                problem: "describes 6 feature levels but the network has 4 (2 backbone taps + 2 extra layers)"))
        object = try validConfig()
        var post = object["postprocess"] as! [String: Any]
        post["iou_threshold"] = 1.5
        object["postprocess"] = post
        expect(object, .invalidValue(file: "test.json", key: "postprocess.iou_threshold", problem: "must be in [0, 1]"))
    }

    func testUnknownModelListsTheAvailableOnes() {
        XCTAssertThrowsError(try ModelCatalog.bundled.config(named: "ssdlite320-resnet50")) { error in
            guard case let .unknownModel(name, available) = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "ssdlite320-resnet50")
            XCTAssertTrue(available.contains("ssdlite320-shufflenetv2"))
        }
    }

    func testBrokenJSONIsAClearError() {
        XCTAssertThrowsError(try ModelConfig.parse(Data("{\"name\": ".utf8), name: "broken.json")) { error in
            guard case .invalidJSON(let file, _) = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "broken.json")
        }
    }
}
