import Foundation
import LiteDetect
import LiteDetectBackbones
import LiteDetectModels
import LiteDetectNN
import LiteDetectPostprocess
import LiteDetectTestSupport
import XCTest

/// Hostile model configs and weights: the corpus in `Tests/HostileInput/configs` and `weights`
/// (one mistake each, see its README), configs written to a temporary folder with input sizes
/// too small for their backbones, and files that are not files. Loading either fails with an
/// error naming the file and the key (or the layer, or the tensor), or builds a working
/// detector; it never traps.
final class HostileConfigTests: XCTestCase {
    struct CorpusEntry: Decodable {
        var file: String
        var error: String?
        var key: String?
        var message: String?
        var build_error: String?
    }

    struct CorpusManifest: Decodable {
        var configs: [CorpusEntry]
        var weights: [CorpusEntry]
    }

    static let corpus = repositoryRoot.appendingPathComponent("Tests/HostileInput")

    private func manifest() throws -> CorpusManifest {
        try JSONDecoder().decode(CorpusManifest.self, from: Data(contentsOf: Self.corpus.appendingPathComponent("MANIFEST.json")))
    }

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-configs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The case name and the key a `ConfigError` carries.
    private func describe(_ error: ConfigError) -> (name: String, key: String?) {
        switch error {
        case let .unknownKey(_, key, _), let .missingKey(_, key), let .wrongType(_, key, _), let .invalidValue(_, key, _),
            let .duplicateKey(_, key):
            return (Mirror(reflecting: error).children.first!.label!, key)
        default:
            return (Mirror(reflecting: error).children.first?.label ?? "\(error)", nil)
        }
    }

    // MARK: Configs

    func testEveryKindOfMistakeIsNamedWithTheFileAndTheKey() throws {
        let broken = try manifest().configs.filter { $0.error != nil }
        XCTAssertGreaterThanOrEqual(broken.count, 14)
        for entry in broken {
            let path = Self.corpus.appendingPathComponent(entry.file).path
            let start = ContinuousClock.now
            XCTAssertThrowsError(try ModelConfig.load(contentsOf: path), entry.file) { error in
                guard let error = error as? ConfigError else { return XCTFail("\(entry.file): untyped \(error)") }
                let (name, key) = describe(error)
                XCTAssertEqual(name, entry.error, "\(entry.file): \(error)")
                if let expectedKey = entry.key { XCTAssertEqual(key, expectedKey, "\(entry.file): \(error)") }
                XCTAssertTrue("\(error)".hasPrefix(path + ":"), "the message must start with the file: \(error)")
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(1), entry.file)
        }
    }

    /// Malformed JSON says what is wrong and where (JSONDecoder alone only says "not valid JSON").
    func testInvalidJSONSaysWhatIsWrong() throws {
        let broken = try manifest().configs.filter { $0.error == "invalidJSON" && $0.message != nil }
        XCTAssertGreaterThanOrEqual(broken.count, 4)
        for entry in broken {
            XCTAssertThrowsError(try ModelConfig.load(contentsOf: Self.corpus.appendingPathComponent(entry.file).path)) { error in
                XCTAssertTrue("\(error)".contains(entry.message!), "\(entry.file): \(error)")
            }
        }
    }

    /// Configs that parse but describe a network that cannot exist: the build throws, naming the
    /// option or layer, instead of trapping on a missing feature tap or a negative channel count.
    func testUnbuildableNetworksThrowANamedError() throws {
        let unbuildable = try manifest().configs.filter { $0.build_error != nil }
        XCTAssertGreaterThanOrEqual(unbuildable.count, 2)
        for entry in unbuildable {
            let config = try ModelConfig.load(contentsOf: Self.corpus.appendingPathComponent(entry.file).path)
            XCTAssertThrowsError(try Detector(config: config, weights: .random(seed: 1)), entry.file) { error in
                XCTAssertTrue(error is BackboneError || error is GraphError, "\(entry.file): untyped \(error)")
                XCTAssertTrue("\(error)".contains(entry.build_error!), "\(entry.file): \(error)")
            }
        }
    }

    /// Every bundled model at input sizes from 16 (the smallest a config allows) to 64: the network
    /// either builds, with every level at least 1×1 and one anchor per head output, or throws a
    /// typed error naming the layer that does not fit. Configs are written to a temporary folder
    /// and loaded from there, as `--model PATH` does.
    func testEveryModelAtTinyInputSizesBuildsOrThrowsANamedError() throws {
        var built = 0, refused: [String] = []
        for name in ModelCatalog.bundled.names {
            let source = ModelCatalog.bundled.directory.appendingPathComponent("models/\(name).json")
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
            object["weights"] = NSNull()
            // Around every power of two a stride-2 layer halves to (odd sizes round differently).
            for size in [16, 17, 20, 24, 28, 31, 32, 33, 40, 47, 48, 56, 63, 64] {
                var input = try XCTUnwrap(object["input"] as? [String: Any])
                input["width"] = size
                input["height"] = size + 1  // not square: both axes are checked
                object["input"] = input
                let path = directory.appendingPathComponent("\(name)-\(size).json")
                try JSONSerialization.data(withJSONObject: object).write(to: path)
                let config = try ModelConfig.load(contentsOf: path.path)
                do {
                    let detector = try Detector(config: config, weights: .random(seed: 7))
                    for level in detector.detectionNetwork.levels {
                        XCTAssertGreaterThanOrEqual(min(level.height, level.width), 1, "\(name) at \(size)")
                    }
                    XCTAssertEqual(detector.anchors.count, detector.detectionNetwork.anchorCount)
                    built += 1
                } catch let error as GraphError {
                    guard case .invalidLayer(_, let problem) = error else { return XCTFail("\(name) at \(size): \(error)") }
                    XCTAssertTrue(problem.contains("smaller than"), "\(name) at \(size): \(error)")
                    refused.append("\(name)@\(size)")
                } catch let error as PostprocessError {
                    // Caffe-style priors are listed per feature map size: another input size is refused by name.
                    guard case .priorBox = config.anchors else { return XCTFail("\(name) at \(size): \(error)") }
                    XCTAssertTrue("\(error)".contains("anchors.layers"), "\(name) at \(size): \(error)")
                    refused.append("prior-box:\(name)@\(size)")
                }
            }
        }
        // SqueezeNet's stride-32 max pool needs at least 3×3 in front of it; the others reach 1×1 maps.
        XCTAssertTrue(refused.allSatisfy { $0.hasPrefix("ssdlite320-squeezenet") || $0.hasPrefix("prior-box:") }, "\(refused)")
        XCTAssertTrue(refused.contains("ssdlite320-squeezenet1.0@16"), "\(refused)")
        XCTAssertGreaterThan(built, 100)
    }

    func testAbsurdLabelCountIsRefusedBeforeAnythingIsBuilt() throws {
        var object = try XCTUnwrap(
            JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.corpus.appendingPathComponent("configs/unknown_key.json"))) as? [String: Any])
        object.removeValue(forKey: "wieghts")
        object["labels"] = ["background"] + (1...ModelConfig.maxClassColumns).map { "class \($0)" }
        XCTAssertThrowsError(try ModelConfig.parse(JSONSerialization.data(withJSONObject: object), name: "many.json")) { error in
            XCTAssertEqual(
                error as? ConfigError,
                .invalidValue(
                    file: "many.json", key: "labels", problem: "10001 labels; at most 10000 class columns are supported"))
        }
    }

    func testFIFOsDevicesAndHugeFilesAreRefusedBeforeReading() throws {
        let fifo = directory.appendingPathComponent("model.json").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let huge = directory.appendingPathComponent("huge.json").path
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: huge))
        try handle.truncate(atOffset: 1 << 30)  // sparse: no disk used
        try handle.close()
        let cases: [(String, String)] = [
            (fifo, "is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "is a character device, not a regular file"),
            (directory.path, "is a directory"),
            (huge, "the file is 1073741824 bytes, more than the limit of 16777216 for a config"),
        ]
        for (path, reason) in cases {
            let blocked = try returnsWithoutBlocking(on: fifo) {
                XCTAssertThrowsError(try ModelCatalog.config(nameOrPath: path)) { error in
                    XCTAssertEqual(error as? ConfigError, .unreadable(file: path, reason: reason))
                }
            }
            XCTAssertFalse(blocked, "\(path): reading blocked until a writer appeared")
        }
    }

    // MARK: Weights for another model

    /// A valid file made for another model: the first tensor the model asks for is named, with
    /// both shapes (MobileNetV3-Small's stem has 16 filters in torchvision; the file has 32).
    func testWeightsOfAnotherModelNameTheFirstTensorThatDoesNotFit() throws {
        let entries = try manifest().weights
        let config = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-small")
        for error in ["shapeMismatch", "missing"] {
            let entry = try XCTUnwrap(entries.first { $0.error == error })
            let path = Self.corpus.appendingPathComponent(entry.file).path
            XCTAssertThrowsError(try Detector(config: config, weights: .file(path)), entry.file) { thrown in
                guard let thrown = thrown as? WeightError else { return XCTFail("untyped \(thrown)") }
                XCTAssertEqual(Mirror(reflecting: thrown).children.first?.label, error)
                XCTAssertTrue("\(thrown)".contains(try! XCTUnwrap(entry.message)), "\(thrown)")
            }
        }
    }
}
