import LiteDetectNN

/// The feature maps a detection head taps, and the classifier logits when asked for.
package struct BackboneFeatures: Sendable {
    /// Stride-16 map (for MobileNet V2/V3: the expansion output of the first stride-32 block).
    package var stride16: Value
    /// Stride-32 map (the backbone's final features).
    package var stride32: Value
    /// `1×1×numClasses` logits, when a classifier was built.
    package var logits: Value?
}

/// Builds backbones into a graph. Each family is a block table over shared blocks (see its file).
package enum Backbones {
    /// Adds `configuration`'s layers to `builder`, reading weights under `prefix` (e.g. `backbone.`).
    /// - Parameter classes: build the ImageNet-style classifier with this many outputs (`nil`: features only).
    package static func build(
        _ configuration: BackboneConfiguration, on builder: GraphBuilder, input: Value, prefix: String = "", classes: Int? = nil
    ) throws -> BackboneFeatures {
        try configuration.validate()
        let saved = builder.batchNormEpsilon
        builder.batchNormEpsilon = configuration.batchNormEpsilon
        defer { builder.batchNormEpsilon = saved }
        let keys = KeyPrefix(prefix)
        switch configuration.name {
        case .squeezeNet1_0, .squeezeNet1_1:
            return try SqueezeNet.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        case .mobileNetV1:
            return try MobileNetV1.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        case .mobileNetV2:
            return try MobileNetV2.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        case .mobileNetV3Small, .mobileNetV3Large:
            return try MobileNetV3.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        case .shuffleNetV1:
            return try ShuffleNetV1.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        case .shuffleNetV2:
            return try ShuffleNetV2.build(configuration, on: builder, input: input, keys: keys, classes: classes)
        }
    }
}

/// Prepends the model's key prefix (`backbone.` inside a detector) to state_dict names.
struct KeyPrefix {
    let prefix: String
    init(_ prefix: String) { self.prefix = prefix }
    func callAsFunction(_ name: String) -> String { prefix + name }
}
