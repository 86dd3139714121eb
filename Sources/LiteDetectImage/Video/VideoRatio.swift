/// A positive ratio `numerator:denominator`: a frame rate (frames per second), a time base
/// (seconds per timestamp tick) or a pixel aspect ratio, as Y4M headers and FFmpeg give them.
public struct VideoRatio: Sendable, Hashable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator):\(denominator)" }

    /// `ticks` units of `numerator / denominator` seconds, exact to the attosecond (truncated
    /// toward zero), as `Duration` holds time: no rounding through floating point.
    public func duration(ofTicks ticks: Int64) -> Duration {
        precondition(denominator > 0, "a time base needs a positive denominator, got \(self)")
        let attoseconds = Int128(ticks) * Int128(numerator) * 1_000_000_000_000_000_000 / Int128(denominator)
        return Duration(attoseconds: attoseconds)
    }
}

@available(*, deprecated, renamed: "VideoRatio")
public typealias Y4MRatio = VideoRatio
