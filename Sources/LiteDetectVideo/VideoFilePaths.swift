public import LiteDetect
public import SystemPackage

// `FilePath` (swift-system) overloads of the video file APIs, as LiteDetect has for images and
// configs. A path that is not valid UTF-8 is refused: the path APIs take `String`, and repairing
// the bytes would name another file.

extension VideoFileReader {
    /// Opens the video file at `path` (`init(path:options:)` with its string).
    public convenience init(path: FilePath, options: Options = Options()) throws(VideoError) {
        guard let string = String(validating: path) else { throw .readFailed(source: path.description, reason: "the path is not valid UTF-8") }
        try self.init(path: string, options: options)
    }
}

extension VideoFileWriter {
    /// Creates the video file at `path` (`init(path:width:height:…)` with its string).
    public convenience init(
        path: FilePath, width: Int, height: Int, frameRate: VideoRatio? = nil, timeBase: VideoRatio = VideoRatio(numerator: 1, denominator: 90_000),
        copyingAudioFrom audioFrom: VideoFileReader? = nil, overwrite: Bool = false, encoderThreads: Int = 1
    ) throws(VideoError) {
        guard let string = String(validating: path) else { throw .writeFailed(destination: path.description, reason: "the path is not valid UTF-8") }
        try self.init(
            path: string, width: width, height: height, frameRate: frameRate, timeBase: timeBase, copyingAudioFrom: audioFrom,
            overwrite: overwrite, encoderThreads: encoderThreads)
    }

    /// A writer at `path` for the frames of `reader` (`init(path:matching:…)` with its string).
    public convenience init(
        path: FilePath, matching reader: VideoFileReader, frameRateDivisor: Int = 1, copyAudio: Bool = true, overwrite: Bool = false,
        encoderThreads: Int = 1
    ) throws(VideoError) {
        guard let string = String(validating: path) else { throw .writeFailed(destination: path.description, reason: "the path is not valid UTF-8") }
        try self.init(
            path: string, matching: reader, frameRateDivisor: frameRateDivisor, copyAudio: copyAudio, overwrite: overwrite,
            encoderThreads: encoderThreads)
    }
}
