import Foundation

/// Why a model could not be imported. Every case names the file, and where it can, the node or
/// layer and its op: the importer never guesses at something it does not understand.
package enum ImportError: Error, Sendable, Equatable, LocalizedError, CustomStringConvertible {
    /// The file could not be read (missing, not a regular file, too large).
    case unreadable(file: String, reason: String)
    /// The bytes are not a valid file of the claimed format (truncated or corrupt protobuf, …).
    case malformed(file: String, reason: String)
    /// The model uses something the importer does not map: `location` names the node or layer and its op.
    case unsupported(file: String, location: String, problem: String)
    /// The model contradicts itself or what it claims to be (a wrong tensor size, a missing input).
    case invalidModel(file: String, location: String, problem: String)
    /// The imported model did not pass the check that builds it as LiteDetect would run it.
    case verificationFailed(file: String, problem: String)
    /// The config or weights could not be written.
    case cannotWrite(path: String, reason: String)

    package var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .malformed(file, reason): return "\(file): not a valid model file: \(reason)"
        case let .unsupported(file, location, problem): return "\(file): \(location): not supported: \(problem)"
        case let .invalidModel(file, location, problem): return "\(file): \(location): \(problem)"
        case let .verificationFailed(file, problem): return "\(file): the imported model does not build: \(problem)"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        }
    }

    package var errorDescription: String? { description }
}
