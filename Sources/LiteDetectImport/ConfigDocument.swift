import Foundation
import LiteDetect

/// The JSON an importer writes: the keys of `Configs/README.md`, sorted, with absent optional
/// keys left out. Parsed back by `ModelConfig.parse` before anything is
/// written, so the strict config reader is the judge of what an importer produces.
struct ConfigDocument: Encodable {
    struct Backbone: Encodable {
        var name: String
        var width: Double?
        var batch_norm_epsilon: Double?
    }

    struct Input: Encodable {
        var width: Int
        var height: Int
        var resize = "stretch"
        var interpolation: String
        var channel_order: String
        var scale: Float
        var offset: Float
    }

    struct Network: Encodable {
        var padding: String
        var extra_layers: [Int]
        var extra_block: String
        var extra_activation: String
        var head: String
        var head_kernel: Int?
        var head_batch_norm_epsilon: Double?
        var batch_norm: String
    }

    struct PriorBoxLayer: Encodable {
        var feature_map_size: Int
        var shrinkage: Double
        var min_size: Double
        var max_size: Double?
        var aspect_ratios: [Double]
    }

    struct Anchors: Encodable {
        var type: String
        // tensorflow
        var num_layers: Int?
        var min_scale: Float?
        var max_scale: Float?
        var aspect_ratios: [Float]?
        var interpolated_scale_aspect_ratio: Float?
        var reduce_boxes_in_lowest_layer: Bool?
        var base_anchor_size: [Float]?
        // prior_box
        var image_size: Double?
        var clip: Bool?
        var layers: [PriorBoxLayer]?
    }

    struct BoxCoder: Encodable {
        var type: String
        var weights: [Float]?
        var center_variance: Float?
        var size_variance: Float?
    }

    struct Postprocess: Encodable {
        var style: String
        var score_threshold: Float
        var detect_threshold: Float?
        var iou_threshold: Float
        var top_k: Int?
        var max_per_class: Int?
        var max_detections: Int
        var clip_boxes: String
    }

    var name: String
    var description: String
    var backbone: Backbone
    var input: Input
    var network: Network
    var anchors: Anchors
    var box_coder: BoxCoder
    var scores: String
    var postprocess: Postprocess
    var labels: [String]
    var weights: String
    var provenance: String

    func encoded() -> Data {
        let encoder = JSONEncoder()
        // Sorted keys: the bytes depend only on the content (dictionary order varies between runs).
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail.
        var data = (try? encoder.encode(self)) ?? Data()
        data.append(0x0A)
        return data
    }
}

extension ConfigDocument {
    /// Encodes, then parses with the strict reader, so an importer can only write a valid config.
    func checkedConfig(file: String) throws(ImportError) -> (ModelConfig, Data) {
        let data = encoded()
        do {
            return (try ModelConfig.parse(data, name: "\(name).json"), data)
        } catch {
            throw .verificationFailed(file: file, problem: "the config it would write is invalid: \(error)")
        }
    }
}
