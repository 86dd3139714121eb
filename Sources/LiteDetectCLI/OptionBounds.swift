import ArgumentParser
import LiteDetect

/// The range of every numeric option, and the one message for a value outside it: each option
/// that sizes memory or work is bounded, so a typo gets an error naming the flag instead of an
/// allocation the machine cannot make.
enum OptionBounds {
    /// Threads of one process's detection (`--threads`, `--workers`).
    static let threads = 1...Detector.maximumSessionThreads
    /// Pixels of one decoded picture or frame (`--max-pixels`): the decoder's own ceiling.
    static let pixels = 1...ImageDecodingOptions.pixelCeiling
    /// Detections per picture or frame (`--max-detections`).
    static let detections = 1...DetectionOptions.detectionLimit
    /// A network's square input side (`--input-size`).
    static let inputSize = 32...2048
    /// Score and IoU thresholds.
    static let unit: ClosedRange<Double> = 0...1

    /// Throws a `ValidationError` naming `flag` unless `range` holds `value`.
    static func check<Value: Comparable>(_ value: Value, in range: ClosedRange<Value>, flag: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    /// `check` for a count that has a lower end only (`--every`): the message says "at least"
    /// rather than printing `Int.max` as an upper end.
    static func check(_ value: Int, atLeast lower: Int, flag: String) throws {
        guard value >= lower else { throw ValidationError("\(flag) must be at least \(lower), got \(value)") }
    }

    /// `check` for thresholds, which the commands keep as `Float` or `Double`.
    static func checkUnit(_ value: (some BinaryFloatingPoint)?, flag: String) throws {
        if let value { try check(Double(value), in: unit, flag: flag) }
    }
}
