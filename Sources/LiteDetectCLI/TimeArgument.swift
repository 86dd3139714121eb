import ArgumentParser

/// A point or span of time on the command line: seconds (`12`, `12.5`) or clock time
/// (`1:05`, `1:02:03.25`), as the `ffmpeg` program's `-ss` and `-t` take them.
struct TimeArgument: ExpressibleByArgument, Equatable {
    let duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let fields = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(fields.count) else { return nil }
        // Whole hours and minutes, then seconds with an optional fraction (at most nanoseconds).
        var seconds: Int64 = 0
        for field in fields.dropLast() {
            guard let value = Int64(field), value >= 0, value < 1_000_000 else { return nil }
            seconds = seconds * 60 + value
        }
        let last = fields.last!.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(last.count), let whole = Int64(last[0]), whole >= 0, whole < 1_000_000_000,
            fields.count == 1 || whole < 60
        else { return nil }
        var nanoseconds: Int64 = 0
        if last.count == 2 {
            let fraction = last[1]
            guard (1...9).contains(fraction.count), fraction.allSatisfy(\.isASCII), let digits = Int64(fraction), digits >= 0 else { return nil }
            nanoseconds = digits * Int64(Self.pow10(9 - fraction.count))
        }
        if fields.count > 1 { seconds *= 60 }
        duration = .seconds(seconds + whole) + .nanoseconds(nanoseconds)
    }

    private static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * 10 } }

    var defaultValueDescription: String { "\(duration)" }
}
