import Foundation
import LiteDetect
import LiteDetectSupport
import LiteDetectVideo

/// Where `detect video` reads frames: a YUV4MPEG2 stream (a `.y4m` file or standard input), or
/// any file FFmpeg's libraries decode. Each frame is lent to the loop without a copy.
final class VideoInput {
    private enum Source {
        case y4m(Y4MReader)
        case file(VideoFileReader)
    }

    private let source: Source
    /// The Y4M reader's frame, refilled in place frame after frame.
    private var frame: VideoFrame

    private init(_ source: Source) {
        self.source = source
        if case let .y4m(reader) = source { frame = reader.makeFrame() } else { frame = VideoFrame(format: .gray8, width: 1, height: 1) }
    }

    /// The FFmpeg reader, when the input is not Y4M (for copying its audio).
    var fileReader: VideoFileReader? {
        if case let .file(reader) = source { return reader }
        return nil
    }

    /// Opens `path` ("-" for a Y4M stream on standard input). A file that starts with the Y4M
    /// signature is read as Y4M (so the pixel limit and error messages stay Y4M's); any other goes
    /// to FFmpeg, which seeks to `start` itself.
    static func open(_ path: String, maxPixels: Int, start: Duration, duration: Duration?) throws -> VideoInput {
        if path == "-" { return VideoInput(.y4m(try Y4MReader.standardInput(maxPixels: maxPixels))) }
        if startsWithY4MSignature(path) { return VideoInput(.y4m(try Y4MReader(path: path, maxPixels: maxPixels))) }
        return VideoInput(.file(try VideoFileReader(path: path, options: .init(maxPixels: maxPixels, start: start, duration: duration))))
    }

    private static func startsWithY4MSignature(_ path: String) -> Bool {
        // A regular file only, opened without waiting (a FIFO must not block here): anything else
        // is left to the readers, which refuse it by name.
        guard let descriptor = try? RegularFile.openForReading(path) else { return false }
        defer { close(descriptor) }
        let signature = Array("YUV4MPEG2 ".utf8)
        var head = [UInt8](repeating: 0, count: signature.count)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return count == signature.count && head == signature
    }

    /// The Y4M stream's header, when the input is Y4M (its scan and aspect carry over to Y4M output).
    var y4mHeader: Y4MStreamHeader? {
        if case let .y4m(reader) = source { return reader.header }
        return nil
    }

    var width: Int {
        switch source {
        case let .y4m(reader): return reader.header.width
        case let .file(reader): return reader.stream.width
        }
    }

    var height: Int {
        switch source {
        case let .y4m(reader): return reader.header.height
        case let .file(reader): return reader.stream.height
        }
    }

    var frameRate: VideoRatio? {
        switch source {
        case let .y4m(reader): return reader.header.frameRate
        case let .file(reader): return reader.stream.frameRate
        }
    }

    var framesRead: Int {
        switch source {
        case let .y4m(reader): return reader.framesRead
        case let .file(reader): return reader.framesRead
        }
    }

    /// Frames the input will deliver from `start` for `duration`, when that can be known ahead (for
    /// the progress line's ETA): a Y4M file's size, a container's frame count or length and rate.
    func expectedFrames(path: String, start: Duration, duration: Duration?) -> Int? {
        guard let rate = frameRate, rate.numerator > 0 else { return nil }
        let seconds = VideoResultSink.seconds
        var total: Double
        switch source {
        case let .y4m(reader):
            guard path != "-", let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int else { return nil }
            total = Double(size / (reader.header.frameByteCount + 6))
        case let .file(reader):
            if let count = reader.stream.frameCount {
                total = Double(count)
            } else if let length = reader.stream.duration {
                total = seconds(length) * rate.value
            } else {
                return nil
            }
        }
        total -= seconds(start) * rate.value
        if let duration { total = min(total, seconds(duration) * rate.value) }
        return max(0, Int(total.rounded()))
    }

    /// Lends the next frame to `body`; `false` after the last one.
    func next(_ body: (PixelFrame, FrameMetadata) throws -> Void) throws -> Bool {
        switch source {
        case let .y4m(reader):
            guard try reader.readFrame(into: &frame) else { return false }
            let metadata = FrameMetadata(index: frame.index, timestamp: frame.timestamp)
            try frame.withPixelFrame { try body($0, metadata) }
            return true
        case let .file(reader):
            return try reader.withNextFrame(body)
        }
    }
}
