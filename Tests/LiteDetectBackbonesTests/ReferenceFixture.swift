import Foundation
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectNN
import LiteDetectTestSupport

/// One backbone case exported by `Tools/reference/make_backbone_fixtures.py`: a recipe for the
/// seeded weights and input (not stored, to keep fixtures small) and PyTorch's outputs.
struct BackboneFixture: Decodable {
    var `case`: String
    var backbone: String
    var options: RecipeBackboneOptions
    var num_classes: Int
    var input: RecipeTensor
    var tensors: [RecipeTensor]
    var outputs: [String: [Int]]

    var configuration: BackboneConfiguration {
        get throws {
            try options.configuration(backbone: backbone)
        }
    }

    var weights: NamedTensors { tensors.namedTensors(source: "\(self.case) recipe") }

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
