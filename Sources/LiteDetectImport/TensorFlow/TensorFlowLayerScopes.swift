/// Where each LiteDetect convolution of an Object Detection API SSD lives in the TF graph: the
/// variable scope of the TF layer whose weights it takes.
///
/// LiteDetect names are torchvision's (`backbone.features.3.conv.1.0` …); TF scopes are the OD
/// API's (`FeatureExtractor/MobilenetV2/expanded_conv_2/depthwise` …). The table only pairs
/// names: shapes, strides, activations and wiring are then checked against the graph itself.
enum TensorFlowLayerScopes {
    static let mobileNetV2 = "FeatureExtractor/MobilenetV2/"

    /// LiteDetect convolution name → TF scope, for MobileNetV2 (torchvision `features.0` … `features.18`).
    static func mobileNetV2Backbone() -> [String: String] {
        var map = ["backbone.features.0.0": mobileNetV2 + "Conv", "backbone.features.18.0": mobileNetV2 + "Conv_1"]
        // torchvision's 17 inverted residual blocks; the first has no expansion convolution.
        for block in 0..<17 {
            let scope = mobileNetV2 + (block == 0 ? "expanded_conv" : "expanded_conv_\(block)")
            let prefix = "backbone.features.\(block + 1).conv"
            if block == 0 {
                map["\(prefix).0.0"] = scope + "/depthwise"
                map["\(prefix).1"] = scope + "/project"
            } else {
                map["\(prefix).0.0"] = scope + "/expand"
                map["\(prefix).1.0"] = scope + "/depthwise"
                map["\(prefix).2"] = scope + "/project"
            }
        }
        return map
    }

    /// The OD API numbers SSD extra layers after the two backbone maps (`layer_19_*_Conv2d_2` is the first).
    static func extraLayers(_ channels: [Int], depthwise: Bool) -> [String: String] {
        var map: [String: String] = [:]
        for (index, out) in channels.enumerated() {
            let n = index + 2
            let prefix = "backbone.extra.\(index)"
            map["\(prefix).0.0"] = "\(mobileNetV2)layer_19_1_Conv2d_\(n)_1x1_\(out / 2)"
            if depthwise {
                map["\(prefix).1.0"] = "\(mobileNetV2)layer_19_2_Conv2d_\(n)_3x3_s2_\(out)_depthwise"
                map["\(prefix).2.0"] = "\(mobileNetV2)layer_19_2_Conv2d_\(n)_3x3_s2_\(out)"
            } else {
                map["\(prefix).1.0"] = "\(mobileNetV2)layer_19_2_Conv2d_\(n)_3x3_s2_\(out)"
            }
        }
        return map
    }

    /// Box and class predictors: SSDLite's depthwise + 1×1, or SSD's single convolution.
    static func heads(levels: Int, ssdLite: Bool) -> [String: String] {
        var map: [String: String] = [:]
        for level in 0..<levels {
            for (tf, head) in [("BoxEncodingPredictor", "regression_head"), ("ClassPredictor", "classification_head")] {
                let prefix = "head.\(head).module_list.\(level)"
                if ssdLite {
                    map["\(prefix).0.0"] = "BoxPredictor_\(level)/\(tf)_depthwise"
                    map["\(prefix).1"] = "BoxPredictor_\(level)/\(tf)"
                } else {
                    map[prefix] = "BoxPredictor_\(level)/\(tf)"
                }
            }
        }
        return map
    }
}
