import CLiteDetectVideoIO
import Foundation
import LiteDetect
import LiteDetectImage
import LiteDetectSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the video stream of a file FFmpeg's libraries can demux and decode (MP4, MKV, WebM, AVI,
/// MOV, MPEG-TS…; H.264, H.265, VP9, MPEG-4, MJPEG…), frame by frame, for a frame loop:
///
///     let reader = try VideoFileReader(path: "clip.mp4")
///     let session = detector.makeSession()
///     var result = DetectionResult()
///     while try reader.withNextFrame({ frame, metadata in
///         try session.detect(frame, metadata: metadata, into: &result)
///         …
///     }) {}
///
/// `withNextFrame` lends the decoder's own planes (4:2:0, NV12, 4:2:2, 4:4:4) without copying;
/// other layouts (full-range "yuvj", 10-bit, RGB) are converted once into limited-range I420.
/// Timestamps are the stream's own presentation times, from the start of the file.
///
/// Only regular files are read (not FIFOs, devices or URLs), through the descriptor this reader
/// opened, and containers that would pull in other files (playlists, concat lists) are refused.
/// A damaged file fails at the frame where it breaks (`VideoError.damagedVideo`), naming it;
/// frames before it were returned normally.
///
/// Not thread-safe: one reader per file, used from one thread at a time. For an asynchronous
/// sequence of owned frames use `VideoFileFrames`.
public final class VideoFileReader {
    /// How a file is read.
    public struct Options: Sendable, Hashable {
        /// Frames with more pixels are refused, as the container announces them (before any frame
        /// memory exists) and as the decoder produces them.
        public var maxPixels: Int
        /// Threads the decoder may use (0: FFmpeg chooses, usually one per core). One by default:
        /// detection, not decoding, is what a frame loop's cores are for.
        public var decoderThreads: Int
        /// Frames before this time (from the start of the file) are skipped: the reader seeks to
        /// the key frame before it, then decodes and drops the frames up to it.
        public var start: Duration
        /// Frames from `start + duration` on are not read; `nil` reads to the end.
        public var duration: Duration?

        public init(maxPixels: Int = 100_000_000, decoderThreads: Int = 1, start: Duration = .zero, duration: Duration? = nil) {
            self.maxPixels = maxPixels
            self.decoderThreads = decoderThreads
            self.start = start
            self.duration = duration
        }
    }

    /// The path, as errors name the file.
    public let source: String
    public let stream: VideoStreamInfo
    public let options: Options
    /// Frames handed out so far.
    public private(set) var framesRead = 0
    let handle: OpaquePointer
    private let descriptor: Int32
    private var frame = ldv_frame()

    /// Opens the file at `path` and its best video stream.
    public init(path: String, options: Options = Options()) throws(VideoError) {
        guard options.maxPixels >= 1, (0...256).contains(options.decoderThreads), options.start >= .zero, (options.duration ?? .seconds(1)) > .zero
        else {
            throw .unsupportedVideo(
                source: path, reason: "maxPixels must be positive, decoderThreads in 0…256, start not negative and duration positive")
        }
        let descriptor: Int32
        do {
            descriptor = try RegularFile.openForReading(path)
        } catch {
            switch error.kind {
            case .notFound: throw .fileNotFound(path: path)
            default: throw .readFailed(source: path, reason: error.reason)
            }
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_size == 0 {
            close(descriptor)
            throw .notVideo(source: path, reason: "the file is empty")
        }
        var handle: OpaquePointer?
        var info = ldv_stream_info()
        var report = ldv_report()
        let opened = ldv_reader_open(descriptor, Int64(options.maxPixels), Int32(options.decoderThreads), &handle, &info, &report)
        guard opened == LDV_OK, let handle else {
            close(descriptor)
            throw VideoIOStatus.readError(opened, report, source: path, frame: 0, maxPixels: options.maxPixels)
        }
        if options.start > .zero || options.duration != nil {
            let start = Self.microseconds(options.start)
            let end = options.duration.map { start + max(1, Self.microseconds($0)) } ?? Int64.max
            let ranged = ldv_reader_set_range(handle, start, end, &report)
            guard ranged == LDV_OK else {
                ldv_reader_close(handle)
                close(descriptor)
                throw VideoIOStatus.readError(ranged, report, source: path, frame: 0, maxPixels: options.maxPixels)
            }
        }
        self.source = path
        self.options = options
        self.handle = handle
        self.descriptor = descriptor
        let timeBase = VideoRatio(numerator: Int(info.time_base_num), denominator: Int(info.time_base_den))
        stream = VideoStreamInfo(
            width: Int(info.width), height: Int(info.height),
            frameRate: info.frame_rate_den > 0 ? VideoRatio(numerator: Int(info.frame_rate_num), denominator: Int(info.frame_rate_den)) : nil,
            timeBase: timeBase,
            duration: info.duration_us >= 0 ? .microseconds(info.duration_us) : nil,
            frameCount: info.frame_count > 0 ? Int(info.frame_count) : nil,
            hasAudio: info.has_audio != 0,
            container: VideoIOStatus.name(info.container), codec: VideoIOStatus.name(info.codec),
            pixelFormat: VideoIOStatus.name(info.pixel_format))
    }

    /// Opens a `file:` URL.
    public convenience init(url: URL, options: Options = Options()) throws(VideoError) {
        guard url.isFileURL else { throw .unsupportedVideo(source: url.absoluteString, reason: "only file URLs can be read") }
        try self.init(path: url.path, options: options)
    }

    deinit {
        ldv_reader_close(handle)
        close(descriptor)
    }

    /// Decodes the next frame and lends it to `body` with its place in the stream, without
    /// copying; the frame is valid only inside `body`. Returns `false` (without calling `body`)
    /// after the last frame, so a loop reads `while try reader.withNextFrame({ frame, metadata in … }) {}`.
    /// LiteDetect's side allocates nothing per frame; FFmpeg's demuxer allocates each packet's
    /// buffer and its decoders draw frames from their own pools.
    public func withNextFrame(_ body: (PixelFrame, FrameMetadata) throws -> Void) throws -> Bool {
        guard try advance() else { return false }
        let pixels = try pixelFrame()
        try body(pixels, metadata)
        return true
    }

    /// Reads the next frame into `frame`, copying its planes (packed rows, the `VideoFrame`
    /// layout) and reusing its storage when it has this frame's format and size. Returns `false`
    /// after the last frame.
    public func readFrame(into frame: inout VideoFrame) throws(VideoError) -> Bool {
        guard try advance() else { return false }
        let pixels = try pixelFrame()
        if frame.format != pixels.format || frame.width != pixels.width || frame.height != pixels.height {
            frame = VideoFrame(format: pixels.format, width: pixels.width, height: pixels.height)
        }
        frame.withUnsafeMutableBytes { pixels.copyPacked(into: $0) }
        let metadata = self.metadata
        frame.index = metadata.index
        frame.timestamp = metadata.timestamp
        return true
    }

    /// The next frame in new storage, or `nil` after the last one.
    public func readFrame() throws(VideoError) -> VideoFrame? {
        var frame = VideoFrame(format: .i420, width: 1, height: 1)
        return try readFrame(into: &frame) ? frame : nil
    }

    // MARK: Decoding

    /// Decodes the next frame into `frame`; `false` at the end.
    private func advance() throws(VideoError) -> Bool {
        var report = ldv_report()
        let status = ldv_reader_next(handle, &frame, &report)
        if status == LDV_END { return false }
        guard status == LDV_OK else {
            throw VideoIOStatus.readError(status, report, source: source, frame: framesRead, maxPixels: options.maxPixels)
        }
        framesRead += 1
        return true
    }

    /// The current frame's planes as a `PixelFrame` (checked, allocation-free).
    private func pixelFrame() throws(VideoError) -> PixelFrame {
        let format: PixelFormat
        switch frame.format {
        case LDV_PIXELS_NV12: format = .nv12
        case LDV_PIXELS_I422: format = .i422
        case LDV_PIXELS_I444: format = .i444
        default: format = .i420
        }
        func plane(_ index: Int) -> PixelPlane? {
            guard index < format.planeCount else { return nil }
            let (base, rowBytes, count) = withUnsafeBytes(of: frame.planes) { planes in
                (
                    planes.load(fromByteOffset: index * MemoryLayout<UnsafePointer<UInt8>?>.stride, as: UnsafePointer<UInt8>?.self),
                    withUnsafeBytes(of: frame.bytes_per_row) { $0.load(fromByteOffset: index * 4, as: Int32.self) },
                    withUnsafeBytes(of: frame.plane_bytes) { $0.load(fromByteOffset: index * 8, as: Int64.self) }
                )
            }
            return PixelPlane(bytes: UnsafeRawBufferPointer(start: base, count: Int(count)), bytesPerRow: Int(rowBytes))
        }
        return try PixelFrame(format: format, width: Int(frame.width), height: Int(frame.height), planes: plane(0)!, plane(1), plane(2))
    }

    /// The current frame's place: its index among the frames handed out, its presentation time.
    private var metadata: FrameMetadata {
        FrameMetadata(index: Int(frame.index), timestamp: frame.pts == Int64.min ? nil : stream.timeBase.duration(ofTicks: frame.pts))
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
