import Foundation
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN

/// One backbone case exported by `Tools/reference/make_backbone_fixtures.py`: a recipe for the
/// seeded weights and input (not stored, to keep fixtures small) and PyTorch's outputs.
struct BackboneFixture: Decodable {
    struct Options: Decodable {
        var width: Double?
        var reduced_tail: Bool?
        var groups: Int?
        var scale: Double?
    }

    struct GeneratedTensor: Decodable {
        var name: String?
        var shape: [Int]
        var seed: UInt64
        var low: Double
        var high: Double

        var values: [Float] { ReferenceGenerator.values(count: shape.reduce(1, *), seed: seed, low: low, high: high) }
    }

    var `case`: String
    var backbone: String
    var options: Options
    var num_classes: Int
    var input: GeneratedTensor
    var tensors: [GeneratedTensor]
    var outputs: [String: [Int]]

    var configuration: BackboneConfiguration {
        get throws {
            BackboneConfiguration(
                try BackboneName(validating: backbone), width: options.width ?? 1, reducedTail: options.reduced_tail ?? false,
                groups: options.groups ?? 3, scale: options.scale ?? 1)
        }
    }

    var weights: NamedTensors {
        var map: [String: NamedTensors.Tensor] = [:]
        for tensor in tensors { map[tensor.name ?? ""] = NamedTensors.Tensor(shape: tensor.shape, values: tensor.values) }
        return NamedTensors(map, sourceName: "\(self.case) recipe")
    }

    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("backbones")
    }

    static func load(_ name: String) throws -> (fixture: BackboneFixture, outputs: NamedTensors) {
        let json = try Data(contentsOf: directory.appendingPathComponent("\(name).json"))
        let fixture = try JSONDecoder().decode(BackboneFixture.self, from: json)
        let outputs = try SafeTensors.read(contentsOf: directory.appendingPathComponent("\(name).safetensors").path).tensors
        return (fixture, outputs)
    }

    static var allCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") && $0 != "prng_check.json" }
            .map { String($0.dropLast(5)) }
            .sorted()
    }
}

/// The counter-based SplitMix64 the reference script uses for weights and inputs
/// (definition in `Tools/reference/README.md`).
enum ReferenceGenerator {
    static func values(count: Int, seed: UInt64, low: Double, high: Double) -> [Float] {
        (0..<count).map { i in
            var z = seed &* 0xD1B5_4A32_D192_ED03 &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Double(z >> 40) / Double(1 << 24)
            return Float(low + (high - low) * u)
        }
    }
}

/// NCHW (batch 1) → NHWC.
func channelsLast(_ values: [Float], channels: Int, height: Int, width: Int) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width { out[(y * width + x) * channels + c] = values[(c * height + y) * width + x] }
        }
    }
    return out
}
