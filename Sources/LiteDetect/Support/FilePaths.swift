import Foundation
import LiteDetectImage
public import SystemPackage

// `FilePath` (swift-system) overloads of the APIs that take a file path, for callers that build
// paths with swift-system or SwiftNIO's file system. A path that is not valid UTF-8 is refused
// with the error the path API gives for an unreadable file: the path APIs take `String`, and
// repairing the bytes would name another file.

extension ImageFile {
    /// Reads and decodes the JPEG or PNG file at `path` (`load(_:options:)` with its string).
    public static func load(_ path: FilePath, options: ImageDecodingOptions = ImageDecodingOptions()) throws(ImageError) -> DecodedImage {
        guard let string = String(validating: path) else { throw .unreadable(path: path.description, reason: "the path is not valid UTF-8") }
        return try load(string, options: options)
    }

    /// Encodes `image` and writes it to `path` (`save(_:to:as:overwrite:)` with its string).
    public static func save(_ image: RGBImage, to path: FilePath, as encoding: ImageEncoding, overwrite: Bool = false) throws(ImageError) {
        guard let string = String(validating: path) else { throw .writeFailed(path: path.description, reason: "the path is not valid UTF-8") }
        try save(image, to: string, as: encoding, overwrite: overwrite)
    }
}

extension ModelConfig {
    /// Parses the config file at `path` (`load(contentsOf:)` with its string).
    public static func load(contentsOf path: FilePath) throws(ConfigError) -> ModelConfig {
        guard let string = String(validating: path) else { throw .unreadable(file: path.description, reason: "the path is not valid UTF-8") }
        return try load(contentsOf: string)
    }
}

extension Detector {
    /// Loads the model described by the config file at `path` (`init(configFile:)` with its string).
    public convenience init(configFile path: FilePath, weights: WeightsChoice = .configured, precision: KernelPrecision = .float32) throws {
        guard let string = String(validating: path) else {
            throw ConfigError.unreadable(file: path.description, reason: "the path is not valid UTF-8")
        }
        try self.init(configFile: string, weights: weights, precision: precision)
    }
}
