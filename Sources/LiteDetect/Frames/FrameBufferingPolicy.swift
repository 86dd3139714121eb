import AsyncAlgorithms

/// What an asynchronous frame loop does with frames that arrive while detection is busy.
///
/// Frames wait in a buffer of at most `limit` frames between the source and the detector.
public enum FrameBufferingPolicy: Sendable, Hashable {
    /// Lossless back-pressure: when `limit` frames wait, the source is not asked for another
    /// until one is taken. Every frame gets a result; a live source (a camera) has to wait or
    /// buffer on its side. For files and pipes.
    case queue(limit: Int)
    /// Bounded latency: when `limit` frames wait, the oldest waiting frame is discarded to make
    /// room for the new one, and the source is never slowed down. Results skip the discarded
    /// frames (their `frame.index` values are missing); the newest frame is never discarded.
    /// For live sources; `limit: 1` always detects on the latest frame.
    case dropOldest(limit: Int)

    var limit: Int {
        switch self {
        case let .queue(limit), let .dropOldest(limit): return limit
        }
    }

    /// The policy as swift-async-algorithms' `buffer` spells it.
    var bufferPolicy: AsyncBufferSequencePolicy {
        switch self {
        case let .queue(limit): return .bounded(limit)
        case let .dropOldest(limit): return .bufferingLatest(limit)
        }
    }
}
