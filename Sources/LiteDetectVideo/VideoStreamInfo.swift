import LiteDetect

/// What a video file says about its video stream, read when it is opened.
public struct VideoStreamInfo: Sendable, Hashable {
    /// Frame size as the container announces it (frames may change size mid-stream; each
    /// `PixelFrame` carries its own).
    public let width: Int
    public let height: Int
    /// Average frame rate, when the container gives one.
    public let frameRate: VideoRatio?
    /// Seconds per timestamp tick of the stream.
    public let timeBase: VideoRatio
    /// Length of the file, when known.
    public let duration: Duration?
    /// Frames the container announces, when it does.
    public let frameCount: Int?
    /// Whether the file has an audio stream (`VideoFileWriter` can copy it).
    public let hasAudio: Bool
    /// FFmpeg's names: the demuxer ("mov,mp4,m4a,3gp,3g2,mj2"), the codec ("h264") and the
    /// decoder's pixel format ("yuv420p").
    public let container: String
    public let codec: String
    public let pixelFormat: String
}
