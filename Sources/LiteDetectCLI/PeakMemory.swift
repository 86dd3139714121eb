import Foundation

/// The process's peak resident set size so far (Linux `VmHWM`, else `ru_maxrss`), in MiB.
/// It only grows: per configuration it reads "peak of the process up to now".
enum PeakMemory {
    static var mebibytes: Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
