import Foundation
import LiteDetect
import LiteDetectNN
import LiteDetectTestSupport
import XCTest

/// A detector case exported by `Tools/reference/make_ssdlite_fixtures.py`: torchvision SSDLite
/// layers on one backbone, seeded weights (recipe) and PyTorch's outputs.
struct SSDLiteFixture: Decodable {
    var `case`: String
    var backbone: String
    var options: RecipeBackboneOptions
    var input_size: Int
    var num_classes: Int
    var head: String
    var extra_layers: [Int]
    var anchors_per_level: [Int]
    var input: InputSpec
    var tensors: [RecipeTensor]
    var outputs: [String: [Int]]

    /// Either a generated input (`seed`…) or the note that it is stored in the outputs (`from: image`).
    struct InputSpec: Decodable {
        var shape: [Int]
        var seed: UInt64?
        var low: Double?
        var high: Double?

        var generated: [Float]? {
            guard let seed, let low, let high else { return nil }
            return ReferenceGenerator.values(count: shape.reduce(1, *), seed: seed, low: low, high: high)
        }
    }

    var architecture: DetectionArchitecture {
        get throws {
            DetectionArchitecture(
                backbone: try options.configuration(backbone: backbone),
                extraLayers: extra_layers, head: try XCTUnwrap(SSDHeadType(rawValue: head)), anchorsPerLevel: anchors_per_level,
                classColumns: num_classes)
        }
    }

    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("ssdlite")
    }

    static func load(_ name: String) throws -> (fixture: SSDLiteFixture, outputs: [String: NamedTensors.Tensor]) {
        let fixture = try JSONDecoder().decode(SSDLiteFixture.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).json")))
        let outputs = try SafeTensors.read(contentsOf: directory.appendingPathComponent("\(name).safetensors").path).tensors.tensors
        return (fixture, outputs)
    }

    static var rawHeadCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { ($0.hasPrefix("ssdlite-") || $0.hasPrefix("ssd-")) && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}

/// Copies the per-level head outputs of a session into torchvision's concatenated order:
/// `[anchors × 4]` and `[anchors × classes]`.
func gatheredHeadOutputs(_ network: DetectionNetwork, _ session: NetworkSession) throws -> (boxes: [Float], logits: [Float]) {
    var boxes: [Float] = [], logits: [Float] = []
    for level in network.levels {
        let b = try session.output(level.boxesOutput), l = try session.output(level.scoresOutput)
        boxes += UnsafeBufferPointer(start: b.base, count: b.shape.elementCount)
        logits += UnsafeBufferPointer(start: l.base, count: l.shape.elementCount)
    }
    return (boxes, logits)
}

func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count)
    let scale = expected.map(abs).max() ?? 0
    var worst: Float = 0
    for i in expected.indices { worst = max(worst, abs(actual[i] - expected[i])) }
    return scale > 0 ? worst / scale : worst
}
