/// One frame that owns its pixels: the planes of `format` stored one after another with packed
/// rows (the Y4M / FFmpeg `rawvideo` layout), plus where the frame sits in its stream.
///
/// A value type with copy-on-write storage: `Sendable`, so it can cross tasks and threads;
/// `Y4MReader.readFrame(into:)` refills one in place, frame after frame.
public struct VideoFrame: Sendable, Equatable {
    public let format: PixelFormat
    public let width: Int
    public let height: Int
    /// `format.contiguousByteCount(width:height:)` bytes: plane 0's rows, then plane 1's, ….
    /// Fixed in size; change the pixels in place with `withUnsafeMutableBytes`.
    public internal(set) var bytes: [UInt8]
    /// Position in the stream, counting from 0.
    public var index: Int
    /// Presentation time from the stream's start (`index / frame rate`), when the rate is known.
    public var timestamp: Duration?
    /// The stream's per-frame parameters, verbatim (Y4M: whatever follows `FRAME`), usually empty.
    public var parameters: String

    /// A frame over `bytes`; `nil` when their count is not the one the format and size need.
    public init?(format: PixelFormat, width: Int, height: Int, bytes: [UInt8], index: Int = 0, timestamp: Duration? = nil, parameters: String = "") {
        guard width > 0, height > 0, bytes.count == format.contiguousByteCount(width: width, height: height) else { return nil }
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
        self.index = index
        self.timestamp = timestamp
        self.parameters = parameters
    }

    /// A zero-filled frame (in YUV formats zero is below black; the content is meant to be overwritten).
    public init(format: PixelFormat, width: Int, height: Int) {
        precondition(width > 0 && height > 0, "frame sides must be positive, got \(width)x\(height)")
        self.init(
            format: format, width: width, height: height,
            bytes: [UInt8](repeating: 0, count: format.contiguousByteCount(width: width, height: height)))!
    }

    /// Lends the pixel bytes for writing (e.g. a decoder filling a reused frame); their count is fixed.
    public mutating func withUnsafeMutableBytes<Result>(_ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeMutableBytes(body)
    }

    /// Lends the pixels as a `PixelFrame` for the duration of `body`.
    public func withPixelFrame<Result, Failure: Error>(_ body: (PixelFrame) throws(Failure) -> Result) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = bytes.withUnsafeBytes { raw in
            // The size was checked when the frame was made, so the view is always valid.
            let frame = try! PixelFrame(format: format, width: width, height: height, bytes: raw)
            do throws(Failure) { return .success(try body(frame)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }
}
