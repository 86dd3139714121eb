import Foundation
import LiteDetectImport
import XCTest

/// Hostile Caffe models for `detect import` (`CaffeSSDImporter`): truncated, empty or impossibly
/// long protobuf, prototxt fields and layer types outside the schema or the mapping. Each fails
/// with an `ImportError` whose description names the file and, where there is one, the layer and
/// its type; none traps. Files are written by hand here, byte by byte for the binary ones.
final class CaffeImportTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caffe-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Files

    /// A deploy net's input and one convolution; `convolution` is inserted in its parameters.
    private static func prototxt(convolution: String = "", layers more: String = "") -> String {
        """
        name: "hostile"
        input: "data"
        input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
        layer {
          name: "conv0"
          type: "Convolution"
          bottom: "data"
          top: "conv0"
          convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 \(convolution) }
        }
        layer { name: "conv0/relu" type: "ReLU" bottom: "conv0" top: "conv0" }
        \(more)
        """
    }

    /// Protobuf wire format: a varint, and a length-delimited field.
    private static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [], v = value
        repeat {
            bytes.append(UInt8(v & 0x7F) | (v >= 0x80 ? 0x80 : 0))
            v >>= 7
        } while v > 0
        return bytes
    }

    private static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    /// A caffemodel (`NetParameter`) holding layer `conv0` (Convolution) with a 4-float blob:
    /// `layer` is field 100; in it `name` 1, `type` 2, `blobs` 7; in a blob `shape` 7 (`dim` 1,
    /// packed) and `data` 5 (packed floats).
    private static let caffemodel: [UInt8] = {
        let floats = [Float(1), 2, 3, 4].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let blob = field(7, field(1, [4])) + field(5, floats)
        let layer = field(1, Array("conv0".utf8)) + field(2, Array("Convolution".utf8)) + field(7, blob)
        return field(100, layer)
    }()

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Imports the two files and returns the error (failing the test if there is none).
    private func importError(
        prototxt: String = prototxt(), caffemodel: [UInt8] = caffemodel, line: UInt = #line
    ) throws -> (error: ImportError, prototxt: String, caffemodel: String)? {
        let prototxtPath = try write("deploy.prototxt", Array(prototxt.utf8))
        let caffemodelPath = try write("model.caffemodel", caffemodel)
        let options = ImportOptions(name: "hostile", labels: LabelSets.voc, weightsPath: "hostile.safetensors")
        do {
            _ = try CaffeSSDImporter.importModel(prototxt: prototxtPath, caffemodel: caffemodelPath, options: options)
            XCTFail("the import succeeded", line: line)
            return nil
        } catch {
            return (error, prototxtPath, caffemodelPath)
        }
    }

    private func assertDescription(_ error: ImportError, names parts: [String], line: UInt = #line) {
        for part in parts {
            XCTAssertTrue(error.description.contains(part), "'\(error)' does not name \(part)", line: line)
        }
    }

    // MARK: Binary caffemodels

    func testTruncatedCaffemodelFailsAtEveryLength() throws {
        let whole = Self.caffemodel
        for length in 0..<whole.count {
            guard let (error, _, caffemodel) = try importError(caffemodel: Array(whole.prefix(length))) else { continue }
            guard case .malformed = error else { return XCTFail("\(length) bytes: \(error)") }
            assertDescription(error, names: [caffemodel])
        }
    }

    func testDeclaredTwoGigabyteLengthIsRefusedWithoutAllocating() throws {
        let length = Self.varint(1 << 31)
        // The `layer` field itself, then a blob inside a layer, each claiming 2 GiB of the few bytes present.
        let topLevel = Self.varint(100 << 3 | 2) + length + Array("conv0".utf8)
        let inner = Self.varint(7 << 3 | 2) + length + [0x2A, 0x04, 0, 0, 0x80, 0x3F]
        let nested = Self.field(100, Self.field(1, Array("conv0".utf8)) + inner)
        for bytes in [topLevel, nested] {
            let (error, _, caffemodel) = try XCTUnwrap(importError(caffemodel: bytes))
            guard case .malformed = error else { return XCTFail("\(error)") }
            assertDescription(error, names: [caffemodel])
        }
    }

    func testEmptyFiles() throws {
        let (emptyNet, prototxt, _) = try XCTUnwrap(importError(prototxt: ""))
        guard case .malformed = emptyNet else { return XCTFail("\(emptyNet)") }
        assertDescription(emptyNet, names: [prototxt, "no layers"])

        let (emptyModel, _, caffemodel) = try XCTUnwrap(importError(caffemodel: []))
        guard case .malformed = emptyModel else { return XCTFail("\(emptyModel)") }
        assertDescription(emptyModel, names: [caffemodel, "no layers"])
    }

    func testMissingFileIsUnreadable() throws {
        let options = ImportOptions(name: "hostile", labels: LabelSets.voc, weightsPath: "hostile.safetensors")
        let missing = directory.appendingPathComponent("missing.caffemodel").path
        let prototxt = try write("deploy.prototxt", Array(Self.prototxt().utf8))
        XCTAssertThrowsError(try CaffeSSDImporter.importModel(prototxt: prototxt, caffemodel: missing, options: options)) { error in
            guard case .unreadable(let file, _)? = error as? ImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, missing)
        }
    }

    // MARK: Prototxt

    func testUnknownFieldIsNamedWithItsLayer() throws {
        let net = Self.prototxt(
            layers: """
                layer {
                  name: "conv1"
                  type: "Convolution"
                  bottom: "conv0"
                  top: "conv1"
                  convolution_param { num_output: 8 kernel_size: 1 frobnicate: 2 }
                }
                """)
        let (error, prototxt, _) = try XCTUnwrap(importError(prototxt: net))
        guard case .malformed = error else { return XCTFail("\(error)") }
        assertDescription(error, names: [prototxt, "'conv1'", "(Convolution)", "line 12", "a field the Caffe (SSD) schema does not have"])
    }

    func testUnknownLayerTypeIsNamed() throws {
        let net = Self.prototxt(layers: #"layer { name: "mystery" type: "Frobnicate" bottom: "conv0" top: "mystery" }"#)
        let (error, prototxt, _) = try XCTUnwrap(importError(prototxt: net))
        guard case let .unsupported(file, location, _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(file, prototxt)
        XCTAssertEqual(location, "layer 'mystery' (Frobnicate)")
        assertDescription(error, names: [prototxt, "'mystery' (Frobnicate)"])
    }

    func testDilatedConvolutionIsRefused() throws {
        let (error, prototxt, _) = try XCTUnwrap(importError(prototxt: Self.prototxt(convolution: "dilation: 2")))
        guard case let .unsupported(_, location, problem) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(location, "layer 'conv0' (Convolution)")
        XCTAssertTrue(problem.contains("dilation [2]"), problem)
        assertDescription(error, names: [prototxt])
    }

    func testUnmergedBatchNormIsRefused() throws {
        let net = Self.prototxt(layers: #"layer { name: "conv0/bn" type: "BatchNorm" bottom: "conv0" top: "conv0" }"#)
        let (error, prototxt, _) = try XCTUnwrap(importError(prototxt: net))
        guard case let .unsupported(_, location, problem) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(location, "layer 'conv0/bn' (BatchNorm)")
        XCTAssertTrue(problem.contains("not merged"), problem)
        assertDescription(error, names: [prototxt])
    }

    func testVersion1LayersAreRefused() throws {
        let net = #"name: "old" input: "data" layers { name: "conv0" type: CONVOLUTION bottom: "data" top: "conv0" }"#
        let (error, prototxt, _) = try XCTUnwrap(importError(prototxt: net))
        guard case .unsupported = error else { return XCTFail("\(error)") }
        assertDescription(error, names: [prototxt, "'layers'"])
    }

    func testNetWithoutDetectionOutputIsRefused() throws {
        let (error, prototxt, _) = try XCTUnwrap(importError())
        guard case let .unsupported(_, location, _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(location, "DetectionOutput")
        assertDescription(error, names: [prototxt])
    }
}
