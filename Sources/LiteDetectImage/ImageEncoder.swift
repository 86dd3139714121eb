/// How to encode an image.
public enum ImageEncoding: Sendable, Equatable {
    /// Lossless 8-bit RGB PNG.
    case png
    /// Baseline JPEG with 4:2:0 chroma subsampling; `quality` is libjpeg's 1...100 scale.
    case jpeg(quality: Int)

    /// The file format this encoding produces.
    public var format: ImageFormat {
        switch self {
        case .png: return .png
        case .jpeg: return .jpeg
        }
    }
}

/// Encodes `RGBImage`s to PNG or JPEG bytes in memory.
public enum ImageEncoder {
    /// The encoded file contents.
    public static func encode(_ image: RGBImage, as encoding: ImageEncoding) throws(ImageError) -> [UInt8] {
        try NativeCodec.encode(image, as: encoding)
    }
}
