import Foundation
import LiteDetectImage

// `URL` overloads of the APIs that take a file path, for callers that hold URLs (from
// `FileManager`, a document picker, `Bundle`). Only file URLs name a file here; any other URL is
// refused with the error the path API would give for an unreadable file.

extension ImageFile {
    /// Reads and decodes the JPEG or PNG file at `url` (`load(_:options:)` with its path).
    public static func load(_ url: URL, options: ImageDecodingOptions = ImageDecodingOptions()) throws(ImageError) -> DecodedImage {
        guard url.isFileURL else { throw .unreadable(path: url.absoluteString, reason: "not a file URL") }
        return try load(url.path, options: options)
    }

    /// Encodes `image` and writes it to the file at `url` (`save(_:to:as:overwrite:)` with its path).
    public static func save(_ image: RGBImage, to url: URL, as encoding: ImageEncoding, overwrite: Bool = false) throws(ImageError) {
        guard url.isFileURL else { throw .writeFailed(path: url.absoluteString, reason: "not a file URL") }
        try save(image, to: url.path, as: encoding, overwrite: overwrite)
    }
}

extension ModelConfig {
    /// Parses the config file at `url` (`load(contentsOf:)` with its path).
    public static func load(contentsOf url: URL) throws(ConfigError) -> ModelConfig {
        guard url.isFileURL else { throw .unreadable(file: url.absoluteString, reason: "not a file URL") }
        return try load(contentsOf: url.path)
    }
}

extension Detector {
    /// Loads the model described by the config file at `url` (`init(configFile:)` with its path).
    public convenience init(configFile url: URL, weights: WeightsChoice = .configured, precision: KernelPrecision = .float32) throws {
        guard url.isFileURL else { throw ConfigError.unreadable(file: url.absoluteString, reason: "not a file URL") }
        try self.init(configFile: url.path, weights: weights, precision: precision)
    }
}
