import Foundation
import LiteDetectImportFormats
import LiteDetectTestSupport
import SwiftProtobuf
import XCTest

/// `detect import model.onnx --config NAME`, end to end through the binary: the written config
/// and weights run with `detect`, and a missing `--config` or a damaged file is an error naming it.
final class ONNXImportCommandTests: XCTestCase {
    private var workDirectory: URL!

    override func setUpWithError() throws {
        workDirectory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDirectory)
    }

    private static let fixtures = repositoryRoot.appendingPathComponent("Tests/LiteDetectTests/Fixtures")

    /// The MobileNetV3-Small export of `Tools/reference/onnx`, its initializers refilled from the recipe.
    private func writeMobileNetV3Small() throws -> String {
        struct Recipe: Decodable { var tensors: [RecipeTensor] }
        let recipe = try JSONDecoder().decode(
            Recipe.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("ssdlite/ssdlite-mobilenetv3-small-w1.0-rt-192.json")))
        var byName: [String: RecipeTensor] = [:]
        for tensor in recipe.tensors { byName[tensor.name ?? ""] = tensor }
        var model = try Onnx_ModelProto(
            serializedBytes: Data(contentsOf: Self.fixtures.appendingPathComponent("onnx/ssdlite320-mobilenetv3-small.onnx")))
        for index in model.graph.initializer.indices {
            let values = try XCTUnwrap(byName[model.graph.initializer[index].name]).values
            model.graph.initializer[index].rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        }
        let path = workDirectory.appendingPathComponent("ssdlite.onnx").path
        try model.serializedData().write(to: URL(fileURLWithPath: path))
        return path
    }

    func testAnONNXFileImportsAndRuns() throws {
        let onnx = try writeMobileNetV3Small()
        let output = workDirectory.appendingPathComponent("models").path
        let result = try CommandRunner.run(["import", onnx, "--config", "ssdlite320-mobilenetv3-small", "--name", "v3s", "--output", output])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("checked: structure:"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("wrote \(output)/v3s.json"), result.standardOutput)
        let config = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(output)/v3s.json"))) as? [String: Any])
        XCTAssertEqual(config["weights"] as? String, "v3s.safetensors")
        XCTAssertEqual((config["labels"] as? [String])?.count, 91, "the config's labels when --labels is not given")

        let detection = try CommandRunner.run([streetJPEG, "--model", "\(output)/v3s.json", "--no-draw", "--format", "json"])
        XCTAssertEqual(detection.status, 0, detection.standardError)
        XCTAssertTrue(
            detection.standardOutput.contains("\"model\": \"v3s\"") || detection.standardOutput.contains("\"model\":\"v3s\""),
            detection.standardOutput)
    }

    func testAnONNXFileNeedsAConfigAndDamageIsNamed() throws {
        let onnx = try writeMobileNetV3Small()
        let missing = try CommandRunner.run(["import", onnx, "--name", "x", "--output", workDirectory.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("--config"), missing.standardError)

        let truncated = workDirectory.appendingPathComponent("truncated.onnx").path
        try Data(contentsOf: URL(fileURLWithPath: onnx)).prefix(50_000).write(to: URL(fileURLWithPath: truncated))
        let broken = try CommandRunner.run([
            "import", truncated, "--config", "ssdlite320-mobilenetv3-small", "--name", "x", "--output", workDirectory.path,
        ])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.standardError.contains(truncated) && broken.standardError.contains("not a valid model file"), broken.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDirectory.appendingPathComponent("x.json").path))

        let pb = try CommandRunner.run(["import", "graph.pb", "--config", "ssdlite320-mobilenetv3-small", "--name", "x"])
        XCTAssertNotEqual(pb.status, 0)
        XCTAssertTrue(pb.standardError.contains("--config is for ONNX"), pb.standardError)
    }
}
