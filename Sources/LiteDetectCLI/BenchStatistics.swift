/// Order statistics of repeated timings (milliseconds).
struct LatencyStatistics {
    var min: Double
    var median: Double
    var p90: Double
    var max: Double

    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        let sorted = samples.sorted()
        func quantile(_ q: Double) -> Double {
            // Linear interpolation between closest ranks (numpy's default).
            let position = q * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
            return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
        min = sorted.first!
        median = quantile(0.5)
        p90 = quantile(0.9)
        max = sorted.last!
    }
}
