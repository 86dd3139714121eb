import Foundation
import LiteDetect
import LiteDetectImport
import LiteDetectImportFormats
import LiteDetectModels
import LiteDetectNN
import LiteDetectTestSupport
import SwiftProtobuf
import XCTest

/// `detect import` of ONNX files: `torch.onnx.export` of the eight `ssdlite320-<backbone>` layouts
/// (`Tools/reference/onnx/make_onnx_fixtures.py`) must import and compute what ONNX Runtime
/// computed on the same file, and damaged or unfamiliar files must fail with an error naming the
/// file and the node.
///
/// The fixtures hold each graph without its initializers' bytes; they are refilled from the
/// recipe of the SSDLite parity fixture with the same layout, which gives back the file ONNX
/// Runtime ran byte for byte (the importer's SHA-256 of what it read is compared).
final class ONNXImportTests: XCTestCase {
    struct Fixture: Decodable {
        var `case`: String
        var config: String
        var recipe: String
        var input: SSDLiteFixture.InputSpec
        var onnx_sha256: String
        var onnx_bytes: Int
        /// The same layout exported with symbolic batch, height and width.
        var dynamic: Dynamic?

        struct Dynamic: Decodable {
            var file: String
            var onnx_sha256: String
        }
    }

    static var directory: URL { SSDLiteFixture.directory.deletingLastPathComponent().appendingPathComponent("onnx") }

    static let cases = [
        "ssdlite320-squeezenet1.0", "ssdlite320-squeezenet1.1", "ssdlite320-mobilenetv1", "ssdlite320-mobilenetv2",
        "ssdlite320-mobilenetv3-small", "ssdlite320-mobilenetv3-large", "ssdlite320-shufflenetv1", "ssdlite320-shufflenetv2",
    ]

    static func fixture(_ name: String) throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).json")))
    }

    /// The recipe's tensors by name.
    static func recipe(_ fixture: Fixture) throws -> [String: RecipeTensor] {
        let name = String(fixture.recipe.dropFirst("ssdlite/".count).dropLast(".json".count))
        var result: [String: RecipeTensor] = [:]
        for tensor in try SSDLiteFixture.load(name).fixture.tensors { result[tensor.name ?? ""] = tensor }
        return result
    }

    /// The exported model: the stripped graph with every initializer's `raw_data` regenerated.
    static func exportedModel(_ fixture: Fixture, file: String? = nil) throws -> Onnx_ModelProto {
        var model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: directory.appendingPathComponent(file ?? "\(fixture.case).onnx")))
        let tensors = try recipe(fixture)
        for index in model.graph.initializer.indices {
            let name = model.graph.initializer[index].name
            let values = try XCTUnwrap(tensors[name], "\(name) is not in the recipe").values
            model.graph.initializer[index].rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        }
        return model
    }

    private func write(_ data: Data, suffix: String = ".onnx") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-onnx-\(UUID().uuidString)\(suffix)")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func options(_ name: String = "imported", labels: [String] = []) -> ImportOptions {
        ImportOptions(name: name, labels: labels, weightsPath: "\(name).safetensors")
    }

    /// Runs the imported model's network on the fixture input; the head outputs in torchvision's order.
    /// LiteDetect's raw outputs for the imported model within 1e-4 (relative to the largest
    /// magnitude) of ONNX Runtime's on the fixture's input.
    private func assertMatchesONNXRuntime(
        _ imported: ImportedModel, _ name: String, input fixture: Fixture, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let reference = try onnxRuntimeOutputs(name)
        let (boxes, logits) = try run(imported, input: fixture)
        XCTAssertLessThanOrEqual(
            relativeError(boxes, try XCTUnwrap(reference["bbox_regression"]).values), 1e-4, "\(name): boxes", file: file, line: line)
        XCTAssertLessThanOrEqual(
            relativeError(logits, try XCTUnwrap(reference["cls_logits"]).values), 1e-4, "\(name): logits", file: file, line: line)
    }

    private func run(_ imported: ImportedModel, input fixture: Fixture) throws -> (boxes: [Float], logits: [Float]) {
        let config = imported.config
        let network = try DetectionNetwork(
            config.architecture, inputHeight: config.input.height, inputWidth: config.input.width,
            weights: NamedTensors(imported.tensors, sourceName: "imported"))
        let session = NetworkSession(network: network.network)
        let pixels = channelsLast(try XCTUnwrap(fixture.input.generated), channels: 3, height: config.input.height, width: config.input.width)
        session.input.base.update(from: pixels, count: pixels.count)
        session.run()
        return try gatheredHeadOutputs(network, session)
    }

    private func onnxRuntimeOutputs(_ name: String) throws -> [String: NamedTensors.Tensor] {
        try SafeTensors.read(contentsOf: Self.directory.appendingPathComponent("\(name).safetensors").path).tensors.tensors
    }

    // MARK: The eight layouts against ONNX Runtime

    func testEveryBackboneImportsAndMatchesONNXRuntime() throws {
        var report: [String] = []
        for name in Self.cases {
            let fixture = try Self.fixture(name)
            let data = try Self.exportedModel(fixture).serializedData()
            XCTAssertEqual(data.count, fixture.onnx_bytes, "\(name): refilled size")
            let path = try write(data)
            let imported = try ONNXImporter.importModel(at: path, config: fixture.config, options: options(name))
            XCTAssertEqual(imported.metadata["litedetect.source_sha256"], fixture.onnx_sha256, "\(name): not the bytes ONNX Runtime ran")

            // The weights are the recipe's, bit for bit, under LiteDetect's keys.
            let recipe = try Self.recipe(fixture)
            XCTAssertEqual(Set(imported.tensors.keys), Set(recipe.keys), name)
            for (key, tensor) in imported.tensors {
                let expected = try XCTUnwrap(recipe[key]).values
                XCTAssertEqual(tensor.shape, recipe[key]?.shape, key)
                XCTAssertTrue(zip(tensor.values, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name): \(key) differs")
            }

            // The config keeps the named one's anchors, box coder, post-processing and labels.
            let bundled = try ModelCatalog.bundled.config(named: fixture.config)
            XCTAssertEqual(imported.config.anchors, bundled.anchors)
            XCTAssertEqual(imported.config.boxCoder, bundled.boxCoder)
            XCTAssertEqual(imported.config.postprocess, bundled.postprocess)
            XCTAssertEqual(imported.config.labels, bundled.labels)
            XCTAssertEqual(imported.config.input.normalization, bundled.input.normalization)
            XCTAssertEqual(imported.config.input.width, 192, "the file's static input size")
            XCTAssertEqual(imported.config.network.batchNorm, .separate)
            var architecture = bundled.architecture
            architecture.batchNorm = .separate
            XCTAssertEqual(imported.config.architecture, architecture)

            let reference = try onnxRuntimeOutputs(name)
            let (boxes, logits) = try run(imported, input: fixture)
            let boxError = relativeError(boxes, reference["bbox_regression"]!.values)
            let logitError = relativeError(logits, reference["cls_logits"]!.values)
            XCTAssertLessThanOrEqual(boxError, 1e-4, "\(name) box regressions")
            XCTAssertLessThanOrEqual(logitError, 1e-4, "\(name) class logits")
            report.append("\(name): bbox_regression \(boxError), cls_logits \(logitError)")
        }
        print("ONNX Runtime vs imported (max |diff| / max |ref|):\n" + report.joined(separator: "\n"))
    }

    /// With symbolic height and width, the graph computes its reshape targets from `Shape`;
    /// the importer evaluates them for the config's input size (here a config file at 192×192).
    func testAnExportWithDynamicAxesTakesTheConfigsInputSize() throws {
        let name = "ssdlite320-shufflenetv2"
        let fixture = try Self.fixture(name)
        let dynamic = try XCTUnwrap(fixture.dynamic)
        let path = try write(try Self.exportedModel(fixture, file: dynamic.file).serializedData())

        let atBundledSize = try ONNXImporter.importModel(at: path, config: name, options: options())
        XCTAssertEqual(atBundledSize.metadata["litedetect.source_sha256"], dynamic.onnx_sha256)
        XCTAssertEqual(atBundledSize.config.input.width, 320)

        var config = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: repositoryRoot.appendingPathComponent("Configs/models/\(name).json")))
                as? [String: Any])
        var input = try XCTUnwrap(config["input"] as? [String: Any])
        input["width"] = 192
        input["height"] = 192
        config["input"] = input
        let configPath = try write(try JSONSerialization.data(withJSONObject: config), suffix: ".json")
        let imported = try ONNXImporter.importModel(at: path, config: configPath, options: options())
        XCTAssertEqual(imported.config.input.width, 192)
        try assertMatchesONNXRuntime(imported, name, input: fixture)
    }

    /// Before opset 14 there is no HardSwish: PyTorch writes `x · HardSigmoid(x)` (alpha 1/6).
    func testHardSwishAsOlderOpsetsSpellIt() throws {
        let name = "ssdlite320-mobilenetv3-large"
        let fixture = try Self.fixture(name)
        var model = try Self.exportedModel(fixture)
        var nodes: [Onnx_NodeProto] = []
        for node in model.graph.node {
            guard node.opType == "HardSwish" else {
                nodes.append(node)
                continue
            }
            var gate = Onnx_NodeProto()
            gate.opType = "HardSigmoid"
            gate.name = node.name + "/HardSigmoid"
            gate.input = node.input
            gate.output = [node.output[0] + "_gate"]
            var alpha = Onnx_AttributeProto()
            alpha.name = "alpha"
            alpha.type = .float
            alpha.f = Float(1) / 6
            gate.attribute = [alpha]
            var product = Onnx_NodeProto()
            product.opType = "Mul"
            product.name = node.name + "/Mul"
            product.input = [node.input[0], gate.output[0]]
            product.output = node.output
            nodes += [gate, product]
        }
        XCTAssertEqual(nodes.count, model.graph.node.count + 20)
        model.graph.node = nodes
        model.opsetImport[0].version = 13
        let imported = try ONNXImporter.importModel(at: try write(try model.serializedData()), config: name, options: options())
        XCTAssertTrue(imported.checks.contains { $0.contains("opset 13") && $0.contains("395 nodes") }, "\(imported.checks)")
        try assertMatchesONNXRuntime(imported, name, input: fixture)
    }

    /// `torch.onnx.export`'s default (`TrainingMode.EVAL`) folds each BatchNorm into the
    /// convolution before it: the file then has convolutions with biases and no BatchNorm tensors.
    /// Folded here the same way (in double precision), the import must say `batch_norm: folded`
    /// and still compute ONNX Runtime's outputs on the unfolded file.
    func testABatchNormFoldedExportImports() throws {
        let name = "ssdlite320-mobilenetv3-small"
        let fixture = try Self.fixture(name)
        let model = try Self.foldBatchNorms(Self.exportedModel(fixture))
        XCTAssertFalse(model.graph.node.contains { $0.opType == "BatchNormalization" })
        let imported = try ONNXImporter.importModel(at: try write(try model.serializedData()), config: fixture.config, options: options())
        XCTAssertEqual(imported.config.network.batchNorm, .foldedIntoBias)
        XCTAssertFalse(imported.tensors.keys.contains { $0.hasSuffix("running_var") })
        XCTAssertTrue(imported.checks.contains { $0.contains("folded") }, "\(imported.checks)")
        try assertMatchesONNXRuntime(imported, name, input: fixture)
    }

    /// Conv → BatchNormalization becomes one Conv with weight·s and bias (b − mean)·s + β,
    /// s = γ / √(var + ε); the bias gets an exporter-style name (`onnx::Conv_<n>`).
    static func foldBatchNorms(_ original: Onnx_ModelProto) throws -> Onnx_ModelProto {
        var model = original
        var initializers: [String: Int] = [:]
        for (i, tensor) in model.graph.initializer.enumerated() { initializers[tensor.name] = i }
        func floats(_ name: String) -> [Float] {
            model.graph.initializer[initializers[name]!].rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        var removed: Set<String> = []
        var nodes: [Onnx_NodeProto] = []
        var newBiases: [Onnx_TensorProto] = []
        for node in model.graph.node {
            guard node.opType == "BatchNormalization", let convIndex = nodes.lastIndex(where: { $0.output.first == node.input[0] }) else {
                nodes.append(node)
                continue
            }
            var conv = nodes[convIndex]
            let epsilon = Double(node.attribute.first { $0.name == "epsilon" }?.f ?? 1e-5)
            let (gamma, beta, mean, variance) = (floats(node.input[1]), floats(node.input[2]), floats(node.input[3]), floats(node.input[4]))
            var weights = floats(conv.input[1])
            let perOutput = weights.count / gamma.count
            var bias = conv.input.count > 2 ? floats(conv.input[2]) : [Float](repeating: 0, count: gamma.count)
            for o in gamma.indices {
                let s = Double(gamma[o]) / (Double(variance[o]) + epsilon).squareRoot()
                for k in 0..<perOutput { weights[o * perOutput + k] = Float(Double(weights[o * perOutput + k]) * s) }
                bias[o] = Float((Double(bias[o]) - Double(mean[o])) * s + Double(beta[o]))
            }
            model.graph.initializer[initializers[conv.input[1]]!].rawData = weights.withUnsafeBufferPointer { Data(buffer: $0) }
            var tensor = Onnx_TensorProto()
            tensor.name = "onnx::Conv_\(1000 + newBiases.count)"
            tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            tensor.dims = [Int64(bias.count)]
            tensor.rawData = bias.withUnsafeBufferPointer { Data(buffer: $0) }
            newBiases.append(tensor)
            if conv.input.count > 2 {
                removed.insert(conv.input[2])
                conv.input[2] = tensor.name
            } else {
                conv.input.append(tensor.name)
            }
            conv.output[0] = node.output[0]
            nodes[convIndex] = conv
            removed.formUnion(node.input.dropFirst())
        }
        model.graph.node = nodes
        model.graph.initializer = model.graph.initializer.filter { !removed.contains($0.name) } + newBiases
        return model
    }

    // MARK: Hostile files

    private func expectImportError(
        _ data: Data, config: String = "ssdlite320-mobilenetv2", options: ImportOptions? = nil, containing fragments: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try write(data)
        XCTAssertThrowsError(try ONNXImporter.importModel(at: path, config: config, options: options ?? self.options()), file: file, line: line) {
            error in
            guard let error = error as? ImportError else { return XCTFail("not an ImportError: \(error)", file: file, line: line) }
            let message = error.description
            XCTAssertTrue(message.hasPrefix(path), "should name the file: \(message)", file: file, line: line)
            for fragment in fragments { XCTAssertTrue(message.contains(fragment), "expected '\(fragment)' in: \(message)", file: file, line: line) }
        }
    }

    private func mobileNetV2() throws -> Onnx_ModelProto { try Self.exportedModel(Self.fixture("ssdlite320-mobilenetv2")) }

    func testTruncatedAndCorruptFilesAreMalformed() throws {
        let bytes = try mobileNetV2().serializedData()
        try expectImportError(bytes.prefix(bytes.count / 2), containing: ["not a valid model file", "ONNX"])
        try expectImportError(bytes.prefix(1000), containing: ["not a valid model file"])
        var flipped = bytes
        for i in stride(from: 0, to: 4096, by: 7) { flipped[i] ^= 0xA5 }
        try expectImportError(flipped, containing: [])
        try expectImportError(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }), containing: ["not a valid model file"])
        try expectImportError(Data(), containing: ["no graph nodes"])
    }

    func testADeclaredTwoGigabyteFieldIsRefusedWithoutAllocatingIt() throws {
        // ModelProto field 7 (graph), wire type 2, length varint 2^31, then 16 bytes: the length lies.
        var bytes: [UInt8] = [0x3A, 0x80, 0x80, 0x80, 0x80, 0x08]
        bytes += [UInt8](repeating: 0x41, count: 16)
        try expectImportError(Data(bytes), containing: ["not a valid model file"])
        // The same inside an initializer's raw_data, after a valid prefix.
        var model = Onnx_ModelProto()
        model.irVersion = 8
        let prefix = try model.serializedData()
        // graph (8 bytes) → initializer (6 bytes) → raw_data of declared length 2^31 − 1.
        try expectImportError(prefix + Data([0x3A, 0x08, 0x2A, 0x06, 0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]), containing: ["not a valid model file"])
    }

    func testAnUnknownOpIsNamed() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.node.firstIndex { $0.opType == "Clip" })
        model.graph.node[index].opType = "Elu"
        try expectImportError(try model.serializedData(), containing: [model.graph.node[index].name, "Elu", "not mapped"])
    }

    func testAnUnknownAttributeIsNamed() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.node.firstIndex { $0.opType == "Conv" })
        var attribute = Onnx_AttributeProto()
        attribute.name = "quantization_hint"
        attribute.type = .int
        attribute.i = 1
        model.graph.node[index].attribute.append(attribute)
        try expectImportError(try model.serializedData(), containing: [model.graph.node[index].name, "(Conv)", "quantization_hint"])
    }

    func testAWrongTensorSizeIsNamed() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.initializer.firstIndex { $0.name == "backbone.features.3.conv.1.0.weight" })
        model.graph.initializer[index].rawData.removeLast(8)
        try expectImportError(try model.serializedData(), containing: ["backbone.features.3.conv.1.0.weight", "bytes"])
        // float_data of the wrong length.
        model = try mobileNetV2()
        model.graph.initializer[index].rawData = Data()
        model.graph.initializer[index].clearRawData()
        model.graph.initializer[index].floatData = [1, 2, 3]
        try expectImportError(try model.serializedData(), containing: ["backbone.features.3.conv.1.0.weight", "float_data lists 3"])
        // Dims that disagree with what the convolution needs.
        model = try mobileNetV2()
        model.graph.initializer[index].dims[0] += 1
        try expectImportError(try model.serializedData(), containing: ["backbone.features.3.conv.1.0.weight"])
    }

    func testImpossibleShapesAreRefusedWithoutOverflowing() throws {
        // A head Reshape to [1, 2^62, 4, 2^62, 12]: the product overflows.
        var model = try mobileNetV2()
        let reshape = try XCTUnwrap(model.graph.node.first { $0.opType == "Reshape" && $0.name.contains("regression_head") })
        let constant = try XCTUnwrap(model.graph.node.firstIndex { $0.output == [reshape.input[1]] })
        let values: [Int64] = [1, 1 << 62, 4, 1 << 62, 12]
        model.graph.node[constant].attribute[0].t.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        try expectImportError(try model.serializedData(), containing: [reshape.name, "cannot reshape"])
        // An initializer declaring 2^40 × 2^40 floats in a few bytes.
        model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.initializer.firstIndex { $0.name == "backbone.features.0.0.weight" })
        model.graph.initializer[index].dims = [1 << 40, 1 << 40, 3, 3]
        try expectImportError(try model.serializedData(), containing: ["backbone.features.0.0.weight", "impossibly large"])
    }

    func testFloatDataIsReadLikeRawData() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.initializer.firstIndex { $0.name == "head.classification_head.module_list.2.1.bias" })
        let raw = model.graph.initializer[index].rawData
        model.graph.initializer[index].clearRawData()
        model.graph.initializer[index].floatData = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let imported = try ONNXImporter.importModel(at: try write(try model.serializedData()), config: "ssdlite320-mobilenetv2", options: options())
        let expected = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(imported.tensors["head.classification_head.module_list.2.1.bias"]?.values, expected)
    }

    func testExternalDataIsRefusedByName() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.initializer.firstIndex { $0.name == "backbone.features.0.0.weight" })
        model.graph.initializer[index].clearRawData()
        model.graph.initializer[index].dataLocation = .external
        var location = Onnx_StringStringEntryProto()
        location.key = "location"
        location.value = "model.onnx.data"
        model.graph.initializer[index].externalData = [location]
        try expectImportError(try model.serializedData(), containing: ["backbone.features.0.0.weight", "externally", "model.onnx.data"])
    }

    func testAnEpsilonTheArchitectureDoesNotUseIsNamed() throws {
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.node.firstIndex { $0.opType == "BatchNormalization" })
        let attribute = try XCTUnwrap(model.graph.node[index].attribute.firstIndex { $0.name == "epsilon" })
        model.graph.node[index].attribute[attribute].f = 1e-3
        try expectImportError(try model.serializedData(), containing: [model.graph.node[index].name, "epsilon 0.001", "backbone.batch_norm_epsilon"])
    }

    func testAChangedActivationIsNamed() throws {
        // The first extra layer's ReLU6 made a ReLU (Clip without a maximum).
        var model = try mobileNetV2()
        let index = try XCTUnwrap(model.graph.node.firstIndex { $0.opType == "Clip" && $0.name.contains("extra.0") })
        let clip = model.graph.node[index].name, maximum = model.graph.node[index].input[2]
        model.graph.node[index].input[2] = ""
        model.graph.node.removeAll { $0.output == [maximum] }
        try expectImportError(try model.serializedData(), containing: [clip, "is activation relu;", "relu6", "backbone.extra.0"])
    }

    func testAConfigOfAnotherArchitectureIsRefused() throws {
        let data = try mobileNetV2().serializedData()
        try expectImportError(
            data, config: "ssdlite320-mobilenetv1", containing: ["does not compute what LiteDetect's ssdlite320-mobilenetv1 computes"])
        try expectImportError(data, config: "ssdlite320-mobilenetv3-large", containing: ["ssdlite320-mobilenetv3-large"])
        // An unknown config is named (the error is about the config, not the ONNX file).
        XCTAssertThrowsError(try ONNXImporter.importModel(at: try write(data), config: "no-such-model", options: options())) { error in
            XCTAssertTrue("\(error)".hasPrefix("no-such-model: "), "\(error)")
        }
    }

    func testLabelsMustFitTheClassColumns() throws {
        try expectImportError(
            try mobileNetV2().serializedData(), options: options(labels: ["background", "person"]),
            containing: ["cls_logits", "91 columns", "2 (one per label"])
    }

    func testAnUnusedInitializerOrNodeIsNamed() throws {
        var model = try mobileNetV2()
        var extra = model.graph.initializer[0]
        extra.name = "leftover.weight"
        model.graph.initializer.append(extra)
        try expectImportError(try model.serializedData(), containing: ["leftover.weight", "no node"])

        model = try mobileNetV2()
        var relu = Onnx_NodeProto()
        relu.opType = "Relu"
        relu.name = "/dangling/Relu"
        relu.input = [try XCTUnwrap(model.graph.node.first { $0.opType == "Clip" }).output[0]]
        relu.output = ["dangling"]
        model.graph.node.append(relu)
        try expectImportError(try model.serializedData(), containing: ["/dangling/Relu", "never read"])
    }
}
