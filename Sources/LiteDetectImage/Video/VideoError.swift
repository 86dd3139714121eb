/// Everything that can go wrong describing, reading, converting or writing video frames.
///
/// `source` names the stream: a file path, or "standard input" / "standard output".
/// Frame numbers count from 0 in stream order.
public enum VideoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A frame's size, plane count or strides do not fit its format or its buffers.
    case invalidFrame(format: PixelFormat, width: Int, height: Int, problem: String)
    /// A frame does not have the size a buffer or plan was made for.
    case frameSizeMismatch(expected: String, actual: String)
    /// No file exists at the path.
    case fileNotFound(path: String)
    /// Opening or reading failed (`reason` is the system's message).
    case readFailed(source: String, reason: String)
    /// The stream does not start with the `YUV4MPEG2 ` signature.
    case notY4M(source: String, leadingBytes: [UInt8])
    /// The stream header is malformed (`detail` names the field and what was expected).
    case malformedHeader(source: String, detail: String)
    /// A colour space this reader cannot decode (e.g. 10-bit `C420p10`).
    case unsupportedColorSpace(source: String, name: String, supported: [String])
    /// The header announces more pixels than allowed; refused before allocating.
    case tooLarge(source: String, width: Int, height: Int, maxPixels: Int)
    /// A frame does not start with a valid `FRAME` header.
    case malformedFrameHeader(source: String, frame: Int, detail: String)
    /// The stream ends inside a frame.
    case truncatedFrame(source: String, frame: Int, expectedBytes: Int, actualBytes: Int)
    /// Writing would replace an existing file and `overwrite` was false.
    case fileExists(path: String)
    /// Creating or writing the output failed (`reason` is the system's message).
    case writeFailed(destination: String, reason: String)
    /// The file is not a video FFmpeg's libraries can read: no known container, or no video stream in it.
    case notVideo(source: String, reason: String)
    /// A container or codec this build of FFmpeg (or LiteDetect) cannot read or write.
    case unsupportedVideo(source: String, reason: String)
    /// The data is damaged at frame `frame` (counting frames handed out before it): a demuxing or
    /// decoding error, a truncated file. Frames before it were returned normally.
    case damagedVideo(source: String, frame: Int, reason: String)
    /// Encoding or muxing the output failed.
    case encodingFailed(destination: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidFrame(format, width, height, problem):
            return "\(format) frame \(width)x\(height): \(problem)"
        case let .frameSizeMismatch(expected, actual):
            return "frame is \(actual), expected \(expected)"
        case let .fileNotFound(path):
            return "\(path): no such file"
        case let .readFailed(source, reason):
            return "\(source): cannot be read (\(reason))"
        case let .notY4M(source, leadingBytes):
            let shown = String(decoding: leadingBytes.map { (32...126).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            return "\(source): not a YUV4MPEG2 stream (starts with \"\(shown)\"); expected \"YUV4MPEG2 \" "
                + "(e.g. ffmpeg -i clip.mp4 -f yuv4mpegpipe -)"
        case let .malformedHeader(source, detail):
            return "\(source): malformed YUV4MPEG2 header: \(detail)"
        case let .unsupportedColorSpace(source, name, supported):
            return "\(source): colour space C\(name) is not supported; supported: \(supported.map { "C" + $0 }.joined(separator: ", ")) "
                + "(convert with ffmpeg -pix_fmt yuv420p)"
        case let .tooLarge(source, width, height, maxPixels):
            return "\(source): frames are \(width)x\(height) = \(width * height) pixels, more than the limit of \(maxPixels)"
        case let .malformedFrameHeader(source, frame, detail):
            return "\(source): frame \(frame): malformed frame header: \(detail)"
        case let .truncatedFrame(source, frame, expected, actual):
            return "\(source): frame \(frame): stream ends after \(actual) of its \(expected) bytes"
        case let .fileExists(path):
            return "\(path): already exists (pass overwrite: true to replace it)"
        case let .writeFailed(destination, reason):
            return "\(destination): cannot be written (\(reason))"
        case let .notVideo(source, reason):
            return "\(source): not a video file (\(reason))"
        case let .unsupportedVideo(source, reason):
            return "\(source): \(reason)"
        case let .damagedVideo(source, frame, reason):
            return "\(source): damaged at frame \(frame): \(reason)"
        case let .encodingFailed(destination, reason):
            return "\(destination): \(reason)"
        }
    }
}
