import Foundation
import LiteDetect
import LiteDetectVideo

/// Where `detect video` writes its annotated frames: YUV4MPEG2 (`-` for standard output, or a
/// `.y4m` file) or a video file FFmpeg encodes, its container chosen by the extension.
final class VideoOutput {
    private enum Sink {
        case y4m(Y4MWriter)
        case file(VideoFileWriter)
    }

    private let sink: Sink
    private let path: String
    /// Subtracted from input timestamps, so that a clip cut with --start begins at 0.
    private let start: Duration
    /// Frame period for inputs without timestamps.
    private let period: Duration
    /// A line for standard error about how the file is written, when it is not the usual H.264.
    let note: String?

    /// Creates the output for `input`'s frames, every `every`th of them, from `start` on. Audio of
    /// a file input is copied into a file output.
    init(path: String, input: VideoInput, every: Int, start: Duration, overwrite: Bool) throws {
        self.start = start
        self.path = path
        let rate = input.frameRate
        period = rate.map { VideoRatio(numerator: $0.denominator, denominator: $0.numerator).duration(ofTicks: 1) } ?? .milliseconds(40)
        if path == "-" || path.lowercased().hasSuffix(".y4m") {
            // The input's size, scan and aspect, 4:2:0, at the rate of the frames kept.
            var header = input.y4mHeader ?? Y4MStreamHeader(width: input.width, height: input.height, frameRate: rate)
            header.frameRate = header.frameRate.map { VideoRatio(numerator: $0.numerator, denominator: $0.denominator * every) }
            header.colorSpace = .c420jpeg
            header.extensions = []
            sink = .y4m(path == "-" ? try Y4MWriter.standardOutput(header: header) : try Y4MWriter(path: path, header: header, overwrite: overwrite))
            note = nil
            return
        }
        let writer: VideoFileWriter
        if let reader = input.fileReader {
            writer = try VideoFileWriter(path: path, matching: reader, frameRateDivisor: every, overwrite: overwrite)
        } else {
            // Y4M timestamps are frame numbers over the rate: one tick per input frame is exact.
            let timeBase =
                rate.map { VideoRatio(numerator: $0.denominator, denominator: $0.numerator) } ?? VideoRatio(numerator: 1, denominator: 90_000)
            writer = try VideoFileWriter(
                path: path, width: input.width, height: input.height,
                frameRate: rate.map { VideoRatio(numerator: $0.numerator, denominator: $0.denominator * every) }, timeBase: timeBase,
                overwrite: overwrite)
        }
        sink = .file(writer)
        note =
            writer.codec == "h264"
            ? nil
            : "\(path): written as \(writer.codec) by \(writer.encoder) (no H.264 encoder for this container in this FFmpeg)"
    }

    /// Writes the annotated frame `canvas`, which showed at `metadata`'s time in the input.
    func write(_ canvas: RGBImage, metadata: FrameMetadata) throws {
        switch sink {
        case let .y4m(writer):
            try writer.write(canvas)
        case let .file(writer):
            let timestamp = metadata.timestamp ?? period * metadata.index
            try writer.write(canvas, at: timestamp - start)
        }
    }

    /// Removes the file again when the command fails before its first frame.
    func abandon() {
        try? close()
        if path != "-" { unlink(path) }
    }

    /// Completes the output (an MP4's index, a pipe's last bytes).
    func close() throws {
        switch sink {
        case let .y4m(writer): try writer.close()
        case let .file(writer): try writer.finish()
        }
    }
}
