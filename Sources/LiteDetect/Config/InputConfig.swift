import LiteDetectImage

/// How an image becomes the network input: size, resize rule, interpolation convention,
/// channel order and normalisation.
public struct InputConfig: Sendable, Equatable, Decodable {
    package enum Resize: String, Sendable, Equatable, Decodable {
        /// Scale each axis independently to the input size (torchvision SSD, TF OD API).
        case stretch
        /// Keep the aspect ratio and pad the rest with `padValue`.
        case letterbox
    }

    package enum Interpolation: String, Sendable, Equatable, Decodable {
        /// PyTorch `F.interpolate(bilinear, align_corners=False)`: pixel centres at +0.5.
        case halfPixel = "half_pixel"
        /// TensorFlow 1 `ResizeBilinear(align_corners=False, half_pixel_centers=False)`: `src = dst · in/out`.
        case tensorFlowLegacy = "tf_legacy"
    }

    package enum ChannelOrder: String, Sendable, Equatable, Decodable {
        case rgb, bgr
    }

    public var width: Int
    public var height: Int
    package var resize: Resize
    package var interpolation: Interpolation
    package var channelOrder: ChannelOrder
    /// Either `mean`/`std` on 0…1 pixels (per network channel) or `scale`/`offset` on 0…255 pixels.
    package var normalization: InputNormalization
    /// Letterbox fill, in 0…255 pixel units, before normalisation.
    package var padValue: Float

    enum CodingKeys: String, CodingKey, CaseIterable {
        case width, height, resize, interpolation, mean, std, scale, offset
        case channelOrder = "channel_order"
        case padValue = "pad_value"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.decode(Int.self, forKey: .width)
        height = try c.decode(Int.self, forKey: .height)
        for (key, size) in [(CodingKeys.width, width), (.height, height)] where !(16...4096).contains(size) {
            throw decoder.invalid(key, "\(size) is outside 16…4096")
        }
        resize = try c.decodeIfPresent(Resize.self, forKey: .resize) ?? .stretch
        interpolation = try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .halfPixel
        channelOrder = try c.decodeIfPresent(ChannelOrder.self, forKey: .channelOrder) ?? .rgb
        padValue = try c.decodeIfPresent(Float.self, forKey: .padValue) ?? 0

        let mean = try c.decodeIfPresent([Float].self, forKey: .mean)
        let std = try c.decodeIfPresent([Float].self, forKey: .std)
        let scale = try c.decodeIfPresent(Float.self, forKey: .scale)
        let offset = try c.decodeIfPresent(Float.self, forKey: .offset)
        switch (mean, std, scale, offset) {
        case let (mean?, std?, nil, nil):
            guard mean.count == 3, std.count == 3 else { throw decoder.invalid(CodingKeys.mean, "mean and std need 3 values each") }
            guard std.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw decoder.invalid(CodingKeys.std, "must be positive") }
            guard mean.allSatisfy(\.isFinite) else { throw decoder.invalid(CodingKeys.mean, "must be finite") }
            normalization = .meanStd(mean: mean, std: std)
        case let (nil, nil, scale?, offset?):
            guard scale.isFinite && scale != 0 && offset.isFinite else { throw decoder.invalid(CodingKeys.scale, "must be finite and non-zero") }
            normalization = .affine(scale: scale, offset: offset)
        default:
            throw decoder.invalid(CodingKeys.mean, "give either mean and std (on 0…1 pixels) or scale and offset (on 0…255 pixels)")
        }
    }

    /// The preprocessing options for `LiteDetectImage.Preprocessor`.
    package var preprocessOptions: PreprocessOptions {
        PreprocessOptions(
            targetWidth: width, targetHeight: height,
            convention: interpolation == .halfPixel ? .halfPixel : .tfLegacy,
            mode: resize == .stretch ? .stretch : .letterbox(fill: .pixel(red: padValue, green: padValue, blue: padValue)),
            normalization: normalization, channelOrder: channelOrder == .rgb ? .rgb : .bgr)
    }
}
