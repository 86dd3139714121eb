#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a YUV4MPEG2 stream to a file or a pipe (`… | ffmpeg -f yuv4mpegpipe -i - out.mp4`).
///
/// The header goes out on creation; each frame is a `FRAME` line and its planes, written
/// straight away (so whatever was written before an error is kept). `RGBImage`s are converted
/// to I420 (`RGBImage.writeI420(into:)`) in a buffer reused for every frame, so such streams
/// need a 4:2:0 colour space. An existing file is never replaced unless asked to.
///
/// Not thread-safe: one writer per stream, used from one thread at a time.
public final class Y4MWriter {
    public let header: Y4MStreamHeader
    /// How errors name the destination: the path, or "standard output".
    public let destination: String
    /// Frames written so far.
    public private(set) var framesWritten = 0
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private var isClosed = false
    private var planes: [UInt8] = []

    /// Creates (or, with `overwrite`, truncates) the file at `path` and writes the header.
    /// Without `overwrite` an existing file is an error and is left untouched.
    public convenience init(path: String, header: Y4MStreamHeader, overwrite: Bool = false) throws(VideoError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .fileExists(path: path) }
            throw .writeFailed(destination: path, reason: String(cString: strerror(code)))
        }
        try self.init(fileDescriptor: descriptor, name: path, header: header, closesDescriptor: true)
    }

    /// Writes to standard output (`-` on a command line).
    public static func standardOutput(header: Y4MStreamHeader) throws(VideoError) -> Y4MWriter {
        try Y4MWriter(fileDescriptor: 1, name: "standard output", header: header, closesDescriptor: false)
    }

    /// Writes to an open descriptor; `name` is how errors refer to it.
    public init(fileDescriptor: Int32, name: String, header: Y4MStreamHeader, closesDescriptor: Bool = false) throws(VideoError) {
        self.header = header
        self.destination = name
        self.descriptor = fileDescriptor
        self.closesDescriptor = closesDescriptor
        try writeAll(Array((header.line + "\n").utf8))
    }

    deinit {
        if closesDescriptor && !isClosed { _ = systemClose(descriptor) }
    }

    /// Writes `image` as the next frame, converted to I420. The image must have the stream's
    /// size and the stream a 4:2:0 colour space. `parameters` follow `FRAME` verbatim.
    public func write(_ image: RGBImage, parameters: String = "") throws(VideoError) {
        guard header.pixelFormat == .i420 else {
            throw .writeFailed(destination: destination, reason: "RGB frames are written as 4:2:0; the stream is C\(header.colorSpace.rawValue)")
        }
        guard image.width == header.width, image.height == header.height else {
            throw .frameSizeMismatch(expected: "\(header.width)x\(header.height) (the stream's size)", actual: "\(image.width)x\(image.height)")
        }
        if planes.count != header.frameByteCount { planes = [UInt8](repeating: 0, count: header.frameByteCount) }
        // `withUnsafeMutableBytes` rethrows untyped errors, so the typed one travels in a Result.
        try planes.withUnsafeMutableBytes { bytes in Result { () throws(VideoError) in try image.writeI420(into: bytes) } }.get()
        try writeFrame(planes, parameters: parameters)
    }

    /// Writes `frame`'s planes as they are; it must have the stream's size and pixel format.
    public func write(_ frame: VideoFrame) throws(VideoError) {
        guard frame.format == header.pixelFormat, frame.width == header.width, frame.height == header.height else {
            throw .frameSizeMismatch(
                expected: "\(header.width)x\(header.height) \(header.pixelFormat) (the stream's)",
                actual: "\(frame.width)x\(frame.height) \(frame.format)")
        }
        try writeFrame(frame.bytes, parameters: frame.parameters)
    }

    /// Closes the destination (a file; standard output stays open). Further writes fail.
    public func close() throws(VideoError) {
        guard !isClosed else { return }
        isClosed = true
        if closesDescriptor && systemClose(descriptor) != 0 {
            throw .writeFailed(destination: destination, reason: String(cString: strerror(errno)))
        }
    }

    private func writeFrame(_ bytes: [UInt8], parameters: String) throws(VideoError) {
        if parameters.isEmpty {
            try writeAll(Self.bareFrameLine)
        } else {
            guard !parameters.utf8.contains(UInt8(ascii: "\n")) else {
                throw .writeFailed(destination: destination, reason: "frame parameters must not contain a newline")
            }
            try writeAll(Array(("FRAME " + parameters + "\n").utf8))
        }
        try writeAll(bytes)
        framesWritten += 1
    }

    private static let bareFrameLine = Array("FRAME\n".utf8)

    private func writeAll(_ bytes: [UInt8]) throws(VideoError) {
        guard !isClosed else { throw .writeFailed(destination: destination, reason: "the writer is closed") }
        try bytes.withUnsafeBytes { raw in Result { () throws(VideoError) in try writeAll(raw) } }.get()
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws(VideoError) {
        var offset = 0
        while offset < raw.count {
            let count = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(destination: destination, reason: String(cString: strerror(errno)))
            }
            offset += count
        }
    }
}

/// `write(2)`, named apart from `Y4MWriter.write(_:)`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// `close(2)`, named apart from `Y4MWriter.close()`.
private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
