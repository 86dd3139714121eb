import Foundation

/// Why ground truth or detections could not be evaluated. Every case names the file (or the
/// caller's name for in-memory data) and, where there is one, the entry at fault.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unreadableFile(file: String, reason: String)
    /// Not JSON at all: the 1-based line and column of the first offending character and the path
    /// of the value being read there (`images[0].bbox`; `""` at the top level).
    case invalidJSON(file: String, line: Int, column: Int, path: String, problem: String)
    /// `entry` is a path into the document such as `annotations[3] (id 17)`, or `""` for the
    /// document itself.
    case invalidEntry(file: String, entry: String, problem: String)

    public var description: String {
        switch self {
        case let .unreadableFile(file, reason): return "\(file): cannot read: \(reason)"
        case let .invalidJSON(file, line, column, path, problem):
            return "\(file): not valid JSON (line \(line), column \(column)\(path.isEmpty ? "" : ", in \(path)")): \(problem)"
        case let .invalidEntry(file, entry, problem): return entry.isEmpty ? "\(file): \(problem)" : "\(file): \(entry): \(problem)"
        }
    }

    public var errorDescription: String? { description }
}
