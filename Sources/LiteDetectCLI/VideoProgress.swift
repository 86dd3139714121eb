import Foundation

/// `detect video`'s status line on a terminal's standard error: the frame reached and the live
/// rate (frames read per second over the last second or so), redrawn in place; silent when disabled.
final class VideoProgress {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var windowStart: ContinuousClock.Instant
    private var windowFrame = 0
    private var liveRate = 0.0
    private var shown = false

    init(enabled: Bool) {
        self.enabled = enabled
        start = clock.now
        windowStart = start
    }

    /// Frame `frame` (stream index) is done.
    func advance(frame: Int) {
        guard enabled else { return }
        let now = clock.now
        let elapsed = Self.seconds(now - windowStart)
        guard elapsed >= 0.25 else { return }
        if elapsed >= 1 || liveRate == 0 {
            liveRate = Double(frame + 1 - windowFrame) / elapsed
            (windowStart, windowFrame) = (now, frame + 1)
        }
        Terminal.standardErrorRaw(String(format: "\r\u{1B}[Kframe %d  %.1f fps", frame, liveRate))
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

    private static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}
