import Foundation
import LiteDetectBackbones
import LiteDetectNN

/// A tensor the reference scripts generate from a seed instead of storing it
/// (definition in `Tools/reference/README.md`): `{name, shape, seed, low, high}`.
package struct RecipeTensor: Decodable, Sendable {
    package var name: String?
    package var shape: [Int]
    package var seed: UInt64
    package var low: Double
    package var high: Double

    package var values: [Float] { ReferenceGenerator.values(count: shape.reduce(1, *), seed: seed, low: low, high: high) }
}

/// The counter-based SplitMix64 the reference scripts use for weights and inputs.
package enum ReferenceGenerator {
    package static func values(count: Int, seed: UInt64, low: Double, high: Double) -> [Float] {
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

extension [RecipeTensor] {
    /// The generated tensors as a strict weight source.
    package func namedTensors(source: String) -> NamedTensors {
        var map: [String: NamedTensors.Tensor] = [:]
        for tensor in self { map[tensor.name ?? ""] = NamedTensors.Tensor(shape: tensor.shape, values: tensor.values) }
        return NamedTensors(map, sourceName: source)
    }
}

/// NCHW (batch 1) → NHWC.
package func channelsLast(_ values: [Float], channels: Int, height: Int, width: Int) -> [Float] {
    var out = [Float](repeating: 0, count: values.count)
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width { out[(y * width + x) * channels + c] = values[(c * height + y) * width + x] }
        }
    }
    return out
}

/// Largest absolute difference between two equally long arrays.
package func maxAbsoluteDifference(_ a: UnsafePointer<Float>, _ b: [Float]) -> Float {
    var worst: Float = 0
    for i in b.indices { worst = max(worst, abs(a[i] - b[i])) }
    return worst
}

/// The repository root, found from this file's location (tests read `SampleImages/` from it).
package let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fixture's backbone `options` object, as the reference scripts write it.
package struct RecipeBackboneOptions: Decodable, Sendable {
    package var width: Double?
    package var reduced_tail: Bool?
    package var groups: Int?
    package var scale: Double?

    package func configuration(backbone: String) throws -> BackboneConfiguration {
        BackboneConfiguration(
            try BackboneName(validating: backbone), width: width ?? 1, reducedTail: reduced_tail ?? false,
            groups: groups ?? 3, scale: scale ?? 1)
    }
}
