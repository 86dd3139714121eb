/// Which LiteDetect convolution each Caffe convolution of a MobileNet-SSD becomes.
///
/// LiteDetect names are its MobileNetV1 and SSD keys (`backbone.features.3.depthwise.0` …);
/// the Caffe layers are found by their place in the structure read from the prototxt (the chain of
/// convolutions from the input, then each level's predictors), not by their names (`conv3/dw` in
/// chuanqi305's model). The table only pairs them: kernels, strides, pads, groups, channels,
/// activations and wiring are then checked against the LiteDetect network built from the result.
enum CaffeLayerNames {
    /// MobileNetV1's 3×3 stem and its 13 depthwise-separable layers (depthwise, then pointwise).
    static let mobileNetV1Layers = 13
    static let mobileNetV1Convolutions = 1 + 2 * mobileNetV1Layers

    /// LiteDetect convolution name → Caffe convolution: `trunk` is the stem, the 13 layers' pairs,
    /// then each SSD extra layer's 1×1 and 3×3; `levels` give the box and class predictors.
    static func mobileNetV1SSD(
        trunk: [CaffeConvolution], levels: [CaffeSSDImporter.Level]
    ) -> [String: CaffeConvolution] {
        var map: [String: CaffeConvolution] = ["backbone.features.0.0": trunk[0]]
        for layer in 1...mobileNetV1Layers {
            map["backbone.features.\(layer).depthwise.0"] = trunk[2 * layer - 1]
            map["backbone.features.\(layer).pointwise.0"] = trunk[2 * layer]
        }
        for (extra, position) in stride(from: mobileNetV1Convolutions, to: trunk.count, by: 2).enumerated() {
            map["backbone.extra.\(extra).0.0"] = trunk[position]
            map["backbone.extra.\(extra).1.0"] = trunk[position + 1]
        }
        for (level, item) in levels.enumerated() {
            map["head.regression_head.module_list.\(level)"] = item.boxes
            map["head.classification_head.module_list.\(level)"] = item.classes
        }
        return map
    }
}
