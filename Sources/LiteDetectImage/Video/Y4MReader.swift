#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a YUV4MPEG2 stream frame by frame from a file or a pipe (`ffmpeg -f yuv4mpegpipe -`).
///
/// The header is read and checked on creation — including the pixel limit, before any frame
/// memory exists. Each `readFrame(into:)` then parses one `FRAME` line (parameters kept
/// verbatim) and reads the frame's planes into the caller's `VideoFrame`, reusing its storage,
/// so a loop over a stream allocates nothing per frame. A damaged stream fails at the frame
/// where it breaks, naming it; frames before it were returned normally.
///
/// Not thread-safe: one reader per stream, used from one thread at a time.
public final class Y4MReader {
    public let header: Y4MStreamHeader
    /// How errors name the stream: the path, or "standard input".
    public let source: String
    /// Frames returned so far (the index of the next one).
    public private(set) var framesRead = 0
    private let input: FileDescriptorInput

    /// The default pixel limit per frame, as the images command's.
    public static let defaultMaxPixels = 100_000_000
    /// Longest header line accepted (X parameters included).
    static let maxHeaderLength = 16 << 10
    /// Longest `FRAME` line accepted.
    static let maxFrameHeaderLength = 4 << 10

    /// Opens the file at `path`.
    public convenience init(path: String, maxPixels: Int = Y4MReader.defaultMaxPixels) throws(VideoError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .readFailed(source: path, reason: String(cString: strerror(code)))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw .readFailed(source: path, reason: "is a directory")
        }
        try self.init(fileDescriptor: descriptor, name: path, closesDescriptor: true, maxPixels: maxPixels)
    }

    /// Reads standard input (`-` on a command line).
    public static func standardInput(maxPixels: Int = Y4MReader.defaultMaxPixels) throws(VideoError) -> Y4MReader {
        try Y4MReader(fileDescriptor: 0, name: "standard input", closesDescriptor: false, maxPixels: maxPixels)
    }

    /// Reads from an open descriptor; `name` is how errors refer to it.
    public init(fileDescriptor: Int32, name: String, closesDescriptor: Bool = false, maxPixels: Int = Y4MReader.defaultMaxPixels) throws(VideoError) {
        input = FileDescriptorInput(descriptor: fileDescriptor, name: name, closesDescriptor: closesDescriptor)
        source = name
        let line = try input.readLine(
            maxLength: Self.maxHeaderLength,
            tooLong: { .malformedHeader(source: name, detail: "no end of line in the first \(Self.maxHeaderLength) bytes") },
            unterminated: { _ in .malformedHeader(source: name, detail: "the stream ends inside its header line") })
        guard let line else { throw .notY4M(source: name, leadingBytes: []) }
        let header = try Y4MStreamHeader.parse(line, source: name)
        guard header.width * header.height <= maxPixels else {
            throw .tooLarge(source: name, width: header.width, height: header.height, maxPixels: maxPixels)
        }
        self.header = header
    }

    /// A frame with storage of this stream's size, to pass to `readFrame(into:)`.
    public func makeFrame() -> VideoFrame {
        VideoFrame(format: header.pixelFormat, width: header.width, height: header.height)
    }

    /// Reads the next frame into `frame` (replacing its pixels, index, timestamp and parameters;
    /// its storage is reused when it has this stream's size). Returns `false` at the end of the
    /// stream, which must fall between frames.
    public func readFrame(into frame: inout VideoFrame) throws(VideoError) -> Bool {
        let index = framesRead
        let name = source
        let line = try input.readLine(
            maxLength: Self.maxFrameHeaderLength,
            tooLong: { .malformedFrameHeader(source: name, frame: index, detail: "no end of line in \(Self.maxFrameHeaderLength) bytes") },
            unterminated: { _ in .truncatedFrame(source: name, frame: index, expectedBytes: self.header.frameByteCount, actualBytes: 0) })
        guard let line else { return false }
        let keyword = "FRAME".utf8
        guard line.starts(with: keyword), line.count == keyword.count || line[keyword.count] == UInt8(ascii: " ") else {
            let shown = String(decoding: line.prefix(24).map { (32...126).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            throw .malformedFrameHeader(source: name, frame: index, detail: "expected 'FRAME', found '\(shown)'")
        }
        // Parameters are rare; the common bare "FRAME" line allocates nothing.
        let parameters =
            line.count > keyword.count + 1
            ? String(decoding: UnsafeRawBufferPointer(rebasing: line[(keyword.count + 1)...]), as: UTF8.self) : ""

        if frame.format != header.pixelFormat || frame.width != header.width || frame.height != header.height {
            frame = makeFrame()
        }
        let expected = header.frameByteCount
        // `withUnsafeMutableBytes` rethrows untyped errors, so the typed one travels in a Result.
        let received = try frame.bytes.withUnsafeMutableBytes { bytes in
            Result { () throws(VideoError) in try input.read(into: bytes) }
        }.get()
        guard received == expected else {
            throw .truncatedFrame(source: name, frame: index, expectedBytes: expected, actualBytes: received)
        }
        frame.index = index
        frame.timestamp = header.timestamp(ofFrame: index)
        if !(frame.parameters.isEmpty && parameters.isEmpty) { frame.parameters = parameters }
        framesRead += 1
        return true
    }

    /// The next frame in new storage, or `nil` at the end of the stream.
    public func readFrame() throws(VideoError) -> VideoFrame? {
        var frame = makeFrame()
        return try readFrame(into: &frame) ? frame : nil
    }
}
