/// Everything that can go wrong reading, decoding, encoding, writing or preprocessing an image.
///
/// `source` names where the data came from: a file path, or the name the caller gave
/// to an in-memory buffer.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file or directory exists at the path.
    case fileNotFound(path: String)
    /// The path names a directory, not a file.
    case isDirectory(path: String)
    /// The file exists but could not be opened or read (`reason` is the system's message).
    case unreadable(path: String, reason: String)
    /// The file or buffer holds no bytes.
    case empty(source: String)
    /// The first bytes are neither a JPEG nor a PNG signature.
    case unknownFormat(source: String, leadingBytes: [UInt8])
    /// The decoder rejected the data as malformed (`detail` is libjpeg's or libpng's message).
    case corrupt(source: String, format: ImageFormat, detail: String)
    /// The data ends before the image does.
    case truncated(source: String, format: ImageFormat, detail: String)
    /// Valid data using a feature this build cannot decode (e.g. 12-bit JPEG).
    case unsupported(source: String, format: ImageFormat, detail: String)
    /// The header announces more pixels than allowed; refused before allocating.
    case tooLarge(source: String, width: Int, height: Int, maxPixels: Int)
    /// Memory for the pixels could not be obtained.
    case outOfMemory(source: String, detail: String)
    /// Writing would replace an existing file and `overwrite` was false.
    case fileExists(path: String)
    /// Creating, writing or renaming the output file failed.
    case writeFailed(path: String, reason: String)
    /// The encoder refused the image or the options.
    case encodingFailed(format: ImageFormat, detail: String)
    /// An image or buffer does not have the size a preprocessing plan was built for.
    case sizeMismatch(what: String, expected: String, actual: String)
    /// A preprocessing option is out of range (`detail` says which and why).
    case invalidOption(detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .isDirectory(let path):
            return "\(path): is a directory, expected an image file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .empty(let source):
            return "\(source): is empty (0 bytes), expected a JPEG or PNG image"
        case .unknownFormat(let source, let leadingBytes):
            let hex = leadingBytes.map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "\(source): unknown image format (starts with \(hex)); expected JPEG (FF D8 FF) or PNG (89 50 4E 47)"
        case .corrupt(let source, let format, let detail):
            return "\(source): corrupt \(format) data: \(detail)"
        case .truncated(let source, let format, let detail):
            return "\(source): truncated \(format) file (\(detail))"
        case .unsupported(let source, let format, let detail):
            return "\(source): unsupported \(format) variant: \(detail)"
        case .tooLarge(let source, let width, let height, let maxPixels):
            return "\(source): image is \(width)x\(height) = \(width * height) pixels, more than the limit of \(maxPixels)"
        case .outOfMemory(let source, let detail):
            return "\(source): out of memory (\(detail))"
        case .fileExists(let path):
            return "\(path): already exists (pass overwrite: true to replace it)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot be written (\(reason))"
        case .encodingFailed(let format, let detail):
            return "\(format) encoding failed: \(detail)"
        case .sizeMismatch(let what, let expected, let actual):
            return "\(what) has size \(actual), expected \(expected)"
        case .invalidOption(let detail):
            return "invalid preprocessing option: \(detail)"
        }
    }
}
