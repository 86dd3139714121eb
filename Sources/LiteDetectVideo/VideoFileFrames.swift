import LiteDetect

/// The frames of a video file as an asynchronous sequence of owned `VideoFrame`s, for
/// `Detector.detections(in:options:buffering:)` and other task-based pipelines:
///
///     for try await result in detector.detections(in: VideoFileFrames(path: "clip.mp4")) { … }
///
/// The file is opened when iteration starts (errors surface from the first `next()`); each
/// iteration opens it anew. Decoding runs on the iterating task; each frame is copied out of the
/// decoder once, so that it can wait in a queue. A frame loop that wants no copy uses
/// `VideoFileReader.withNextFrame` instead.
public struct VideoFileFrames: AsyncSequence, Sendable {
    public typealias Element = VideoFrame
    public typealias Failure = any Error

    public let path: String
    public let options: VideoFileReader.Options

    public init(path: String, options: VideoFileReader.Options = VideoFileReader.Options()) {
        self.path = path
        self.options = options
    }

    public func makeAsyncIterator() -> Iterator { Iterator(path: path, options: options) }

    public struct Iterator: AsyncIteratorProtocol {
        private let path: String
        private let options: VideoFileReader.Options
        private var reader: VideoFileReader?
        private var finished = false

        init(path: String, options: VideoFileReader.Options) {
            self.path = path
            self.options = options
        }

        public mutating func next() async throws -> VideoFrame? {
            guard !finished else { return nil }
            do {
                if reader == nil { reader = try VideoFileReader(path: path, options: options) }
                if let frame = try reader?.readFrame() { return frame }
            } catch {
                finished = true
                reader = nil
                throw error
            }
            finished = true
            reader = nil
            return nil
        }
    }
}
