import Foundation

/// `detect video`'s status line on a terminal's standard error: frames done (of the expected
/// total, when the input says), the live rate (frames per second over the last second or so)
/// and the time left at that rate, redrawn in place; silent when disabled.
final class VideoProgress {
    private let enabled: Bool
    private let total: Int?
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var windowStart: ContinuousClock.Instant
    private var windowFrames = 0
    private var liveRate = 0.0
    private var shown = false

    init(enabled: Bool, total: Int?) {
        self.enabled = enabled
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        start = clock.now
        windowStart = start
    }

    /// `frames` input frames are done.
    func advance(frames: Int) {
        guard enabled else { return }
        let now = clock.now
        let elapsed = Self.seconds(now - windowStart)
        guard elapsed >= 0.25 else { return }
        if elapsed >= 1 || liveRate == 0 {
            liveRate = Double(frames - windowFrames) / elapsed
            (windowStart, windowFrames) = (now, frames)
        }
        var line = "frame \(frames)"
        if let total {
            // The container's count is an estimate for some formats: never show more than 100 %.
            let shownTotal = max(total, frames)
            line += String(format: "/%d (%d%%)", shownTotal, 100 * frames / shownTotal)
        }
        line += String(format: "  %.1f fps", liveRate)
        if let total, liveRate > 0 {
            let left = Int((Double(max(0, total - frames)) / liveRate).rounded())
            line += String(format: "  ETA %d:%02d", left / 60, left % 60)
        }
        Terminal.standardErrorRaw("\r\u{1B}[K" + line)
        shown = true
    }

    /// Removes the line so that normal output can be printed.
    func clear() {
        guard enabled && shown else { return }
        Terminal.standardErrorRaw("\r\u{1B}[K")
        shown = false
    }

    /// Clears the line and prints the overall rate.
    func finish(frames: Int) {
        clear()
        guard enabled else { return }
        let elapsed = Self.seconds(clock.now - start)
        Terminal.standardError(String(format: "detect: %d frames in %.1f s (%.1f fps)", frames, elapsed, elapsed > 0 ? Double(frames) / elapsed : 0))
    }

    private static func seconds(_ d: Duration) -> Double { VideoResultSink.seconds(d) }
}
