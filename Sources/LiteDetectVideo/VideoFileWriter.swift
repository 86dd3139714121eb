import CLiteDetectVideoIO
import Foundation
import LiteDetect

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a video file through FFmpeg's libraries: the container from the file name's extension
/// (`.mp4`, `.mkv`, `.mov`, `.avi`, `.webm`…), the codec H.264 when the container takes it and
/// FFmpeg has an H.264 encoder (libx264 at its `veryfast` preset), else the container's default,
/// else MPEG-4 Part 2, else MJPEG — `codec` and `encoder` say which. Frames are BT.601
/// limited-range 4:2:0, tagged as such.
///
///     let writer = try VideoFileWriter(path: "out.mp4", matching: reader)
///     try writer.write(canvas, at: metadata.timestamp ?? .zero)
///     try writer.finish()
///
/// Audio of a `VideoFileReader` is copied packet by packet as that reader demuxes it (no
/// re-encoding), when the container can hold its codec. Timestamps must increase; frames may be
/// skipped (the output then has gaps, as `detect video --every N` makes).
///
/// `finish()` completes the file (an MP4 is unreadable without it); a writer released without it
/// finishes the file as well as it can and drops any error. Not thread-safe.
public final class VideoFileWriter {
    public let destination: String
    public let width: Int
    public let height: Int
    /// FFmpeg's names of the codec ("h264", "mpeg4", "mjpeg", "vp9") and of its encoder ("libx264").
    public let codec: String
    public let encoder: String
    /// Whether the audio of the reader given at creation is being copied.
    public let copiesAudio: Bool
    /// Seconds per tick of the timestamps as they are stored.
    public let timeBase: VideoRatio
    public private(set) var framesWritten = 0
    private let handle: OpaquePointer
    private let descriptor: Int32
    private var isFinished = false
    /// I420 planes of an `RGBImage` being written; allocated once.
    private var planes: [UInt8]
    /// Keeps the reader whose audio is copied alive as long as the copy runs.
    private let audioSource: VideoFileReader?

    /// Creates the file at `path` (an existing file is an error unless `overwrite`) for
    /// `width × height` frames. `frameRate` is the nominal rate (for rate control and the
    /// container's header); timestamps are stored in `timeBase` units (default 1/90000 s, the
    /// MPEG clock). `audioFrom`: a reader whose audio to copy, before it reads its first frame.
    public init(
        path: String, width: Int, height: Int, frameRate: VideoRatio? = nil, timeBase: VideoRatio = VideoRatio(numerator: 1, denominator: 90_000),
        copyingAudioFrom audioFrom: VideoFileReader? = nil, overwrite: Bool = false, encoderThreads: Int = 1
    ) throws(VideoError) {
        func invalid(_ reason: String) -> VideoError { .encodingFailed(destination: path, reason: reason) }
        guard (2...(1 << 14)).contains(width), (2...(1 << 14)).contains(height) else {
            throw invalid("frame sides must be in 2…16384, got \(width)x\(height)")
        }
        guard timeBase.numerator > 0, timeBase.denominator > 0, timeBase.numerator <= Int32.max, timeBase.denominator <= Int32.max else {
            throw invalid("the time base must be a positive ratio of 32-bit integers, got \(timeBase)")
        }
        if let frameRate,
            !(frameRate.numerator > 0 && frameRate.denominator > 0 && frameRate.numerator <= Int32.max && frameRate.denominator <= Int32.max)
        {
            throw invalid("the frame rate must be a positive ratio of 32-bit integers, got \(frameRate)")
        }
        guard (0...256).contains(encoderThreads) else { throw invalid("encoderThreads must be in 0…256") }
        let existed = access(path, F_OK) == 0
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL), 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .fileExists(path: path) }
            throw .writeFailed(destination: path, reason: String(cString: strerror(code)))
        }
        func discard() {
            close(descriptor)
            if !existed { unlink(path) }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            discard()
            throw .writeFailed(destination: path, reason: "not a regular file (containers are finished by seeking back into the file)")
        }
        var config = ldv_writer_config(
            width: Int32(width), height: Int32(height),
            frame_rate_num: Int32(frameRate?.numerator ?? 0), frame_rate_den: Int32(frameRate?.denominator ?? 0),
            time_base_num: Int32(timeBase.numerator), time_base_den: Int32(timeBase.denominator), threads: Int32(encoderThreads))
        var handle: OpaquePointer?
        var encoder = [CChar](repeating: 0, count: Int(LDV_NAME_CAPACITY))
        var codec = [CChar](repeating: 0, count: Int(LDV_NAME_CAPACITY))
        var copies: Int32 = 0
        var report = ldv_report()
        let opened = encoder.withUnsafeMutableBufferPointer { encoderBuffer in
            codec.withUnsafeMutableBufferPointer { codecBuffer in
                ldv_writer_open(
                    descriptor, path, &config, audioFrom?.handle, &handle, encoderBuffer.baseAddress, codecBuffer.baseAddress, &copies, &report)
            }
        }
        guard opened == LDV_OK, let handle else {
            discard()
            throw VideoIOStatus.writeError(opened, report, destination: path)
        }
        self.destination = path
        self.width = width
        self.height = height
        self.timeBase = timeBase
        self.handle = handle
        self.descriptor = descriptor
        self.encoder = String(decoding: encoder.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.codec = String(decoding: codec.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.copiesAudio = copies != 0
        self.audioSource = copies != 0 ? audioFrom : nil
        planes = [UInt8](repeating: 0, count: PixelFormat.i420.contiguousByteCount(width: width, height: height))
    }

    /// A writer for the frames of `reader`: its size, time base and audio (unless `copyAudio` is
    /// false), and its frame rate divided by `frameRateDivisor` (for keeping every Nth frame).
    public convenience init(
        path: String, matching reader: VideoFileReader, frameRateDivisor: Int = 1, copyAudio: Bool = true, overwrite: Bool = false,
        encoderThreads: Int = 1
    ) throws(VideoError) {
        guard frameRateDivisor >= 1 else { throw .encodingFailed(destination: path, reason: "frameRateDivisor must be at least 1") }
        let rate = reader.stream.frameRate.map { VideoRatio(numerator: $0.numerator, denominator: $0.denominator * frameRateDivisor) }
        try self.init(
            path: path, width: reader.stream.width, height: reader.stream.height, frameRate: rate, timeBase: reader.stream.timeBase,
            copyingAudioFrom: copyAudio ? reader : nil, overwrite: overwrite, encoderThreads: encoderThreads)
    }

    deinit {
        if !isFinished {
            var report = ldv_report()
            _ = ldv_writer_finish(handle, &report)
        }
        ldv_writer_close(handle)
        close(descriptor)
    }

    /// Encodes a YUV frame (I420, NV12, I422 or I444, limited range) of the writer's size, shown
    /// at `timestamp` (after the previous one's). I420 reaches the encoder without conversion.
    public func write(_ frame: PixelFrame, at timestamp: Duration) throws(VideoError) {
        let layout: ldv_pixels
        switch frame.format {
        case .i420: layout = LDV_PIXELS_I420
        case .nv12: layout = LDV_PIXELS_NV12
        case .i422: layout = LDV_PIXELS_I422
        case .i444: layout = LDV_PIXELS_I444
        default:
            throw .invalidFrame(
                format: frame.format, width: frame.width, height: frame.height,
                problem: "a video file writer takes YUV frames (i420, nv12, i422, i444) or RGB images")
        }
        guard frame.width == width, frame.height == height else {
            throw .frameSizeMismatch(expected: "\(width)x\(height)", actual: "\(frame.width)x\(frame.height)")
        }
        func base(_ index: Int) -> UnsafePointer<UInt8>? {
            index < frame.format.planeCount ? frame.plane(index).bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) : nil
        }
        func stride(_ index: Int) -> Int32 { index < frame.format.planeCount ? Int32(frame.plane(index).bytesPerRow) : 0 }
        try encode(layout, planes: (base(0), base(1), base(2)), rows: (stride(0), stride(1), stride(2)), at: timestamp)
    }

    /// Encodes an RGB image of the writer's size (converted to BT.601 I420), shown at `timestamp`.
    public func write(_ image: RGBImage, at timestamp: Duration) throws(VideoError) {
        guard image.width == width, image.height == height else {
            throw .frameSizeMismatch(expected: "\(width)x\(height)", actual: "\(image.width)x\(image.height)")
        }
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        let (lumaBytes, chromaBytes) = (width * height, chromaWidth * chromaHeight)
        // `withUnsafeMutableBytes` rethrows untyped errors, so the typed one travels in a Result.
        try planes.withUnsafeMutableBytes { bytes in
            Result { () throws(VideoError) in
                try image.writeI420(into: bytes)
                let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                try encode(
                    LDV_PIXELS_I420, planes: (UnsafePointer(base), UnsafePointer(base + lumaBytes), UnsafePointer(base + lumaBytes + chromaBytes)),
                    rows: (Int32(width), Int32(chromaWidth), Int32(chromaWidth)), at: timestamp)
            }
        }.get()
    }

    private func encode(
        _ layout: ldv_pixels, planes: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?), rows: (Int32, Int32, Int32),
        at timestamp: Duration
    ) throws(VideoError) {
        guard !isFinished else { throw .encodingFailed(destination: destination, reason: "the file was already finished") }
        var report = ldv_report()
        let pts = ticks(timestamp)
        // On the stack: the per-frame path allocates nothing.
        let status = withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>?.self, capacity: 3) { planeList in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 3) { rowList in
                (planeList[0], planeList[1], planeList[2]) = planes
                (rowList[0], rowList[1], rowList[2]) = rows
                return ldv_writer_write(handle, layout, planeList.baseAddress, rowList.baseAddress, pts, &report)
            }
        }
        guard status == LDV_OK else { throw VideoIOStatus.writeError(status, report, destination: destination) }
        framesWritten += 1
    }

    /// Drains the encoder and completes the file. Further writes are errors.
    public func finish() throws(VideoError) {
        guard !isFinished else { return }
        isFinished = true
        var report = ldv_report()
        let status = ldv_writer_finish(handle, &report)
        guard status == LDV_OK else { throw VideoIOStatus.writeError(status, report, destination: destination) }
    }

    /// `timestamp` in `timeBase` ticks, rounded to the nearest.
    private func ticks(_ timestamp: Duration) -> Int64 {
        let (seconds, attoseconds) = timestamp.components
        let total = Int128(seconds) * 1_000_000_000_000_000_000 + Int128(attoseconds)
        let scale = Int128(timeBase.numerator) * 1_000_000_000_000_000_000
        let denominator = Int128(timeBase.denominator)
        // total · den / (num · 10^18), rounded half away from zero.
        let numerator = total * denominator
        let rounded = (numerator + (numerator >= 0 ? scale / 2 : -scale / 2)) / scale
        return Int64(clamping: rounded)
    }
}
