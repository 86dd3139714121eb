import LiteDetectPostprocess

/// How box regressions are decoded against anchors (`"box_coder"` in a config).
package struct BoxCoderConfig: Sendable, Equatable, Decodable {
    package var coder: CenterSizeBoxCoder

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, weights, clamp
        case centerVariance = "center_variance"
        case sizeVariance = "size_variance"
    }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func factors(_ w: [Float]) throws -> CenterSizeBoxCoder.ScaleFactors {
            guard w.count == 4, w.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw decoder.invalid(CodingKeys.weights, "needs 4 positive numbers")
            }
            return .init(x: w[0], y: w[1], width: w[2], height: w[3])
        }
        switch type {
        case "torchvision":
            // (dx, dy, dw, dh) / weights; dw, dh clamped at log(1000/16) unless "clamp": false.
            let weights = try c.decodeIfPresent([Float].self, forKey: .weights) ?? [10, 10, 5, 5]
            let clamp = try c.decodeIfPresent(Bool.self, forKey: .clamp) ?? true
            coder = CenterSizeBoxCoder(
                order: .xywh, scaleFactors: try factors(weights), maxLogScale: clamp ? CenterSizeBoxCoder.torchvision.maxLogScale : nil)
        case "tensorflow":
            // FasterRcnnBoxCoder: (ty, tx, th, tw) / scale_factors; listed here in TF's own order.
            let scales = try c.decodeIfPresent([Float].self, forKey: .weights) ?? [10, 10, 5, 5]
            let yx = try factors(scales)
            coder = CenterSizeBoxCoder(order: .yxhw, scaleFactors: .init(x: yx.y, y: yx.x, width: yx.height, height: yx.width))
        case "variance":
            // pytorch-ssd: center · center_variance, exp(size · size_variance).
            let center = try c.decodeIfPresent(Float.self, forKey: .centerVariance) ?? 0.1
            let size = try c.decodeIfPresent(Float.self, forKey: .sizeVariance) ?? 0.2
            guard center > 0, size > 0 else { throw decoder.invalid(CodingKeys.centerVariance, "variances must be positive") }
            coder = CenterSizeBoxCoder(order: .xywh, scaleFactors: .init(x: 1 / center, y: 1 / center, width: 1 / size, height: 1 / size))
        default:
            throw decoder.invalid(CodingKeys.type, "'\(type)' is not one of torchvision, tensorflow, variance")
        }
    }
}

/// How class logits become scores (`"scores"`: `"softmax"` or `"sigmoid"`).
package struct ScoreConfig: Sendable, Equatable, Decodable {
    package var conversion: ScoreConversion

    package init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        switch value {
        case "softmax": conversion = .softmax
        case "sigmoid": conversion = .sigmoid
        default:
            throw InvalidValueError(path: decoder.codingPath.dottedPath, problem: "'\(value)' is not one of softmax, sigmoid")
        }
    }
}
