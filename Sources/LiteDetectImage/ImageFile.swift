import LiteDetectSupport

/// Reading and writing image files.
///
/// Errors name the path and the reason (missing, a directory, unreadable, empty, …).
public enum ImageFile {
    /// Reads and decodes the JPEG or PNG file at `path` (format from the magic bytes, not the name).
    public static func load(_ path: String, options: ImageDecodingOptions = ImageDecodingOptions()) throws(ImageError) -> DecodedImage {
        let bytes = try readBytes(path, maxBytes: options.maxFileBytes)
        return try ImageDecoder.decode(bytes, source: path, options: options)
    }

    /// Encodes `image` and writes it to `path` atomically: the bytes go to a temporary file in the
    /// same directory, which is then renamed into place, so readers never see a half-written file.
    /// An existing file is replaced only when `overwrite` is true; otherwise `.fileExists` is thrown
    /// (checked atomically with the final link, not just beforehand). A failed write leaves
    /// no temporary file behind.
    public static func save(_ image: RGBImage, to path: String, as encoding: ImageEncoding, overwrite: Bool = false) throws(ImageError) {
        let bytes = try ImageEncoder.encode(image, as: encoding)
        try AtomicFileWriter.store(bytes, at: path, overwrite: overwrite)
    }

    /// The whole contents of the image file at `path`, at most `maxBytes` of them
    /// (`RegularFile.contents(of:maxBytes:)`: regular files only, checked on the opened descriptor).
    package static func readBytes(_ path: String, maxBytes: Int = ImageDecodingOptions().maxFileBytes) throws(ImageError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try RegularFile.contents(of: path, maxBytes: maxBytes) } catch {
            switch error.kind {
            case .notFound: throw .fileNotFound(path: path)
            case .directory: throw .isDirectory(path: path)
            case .tooLarge: throw .unreadable(path: path, reason: "\(error.reason) for an image")
            case .notRegular, .unreadable: throw .unreadable(path: path, reason: error.reason)
            }
        }
        guard !bytes.isEmpty else { throw .empty(source: path) }
        return bytes
    }
}
