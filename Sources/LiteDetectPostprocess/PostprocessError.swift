import Foundation

/// Everything that can go wrong in LiteDetectPostprocess: a configuration that cannot describe a
/// detector, or a frame whose buffers do not match the configuration.
package enum PostprocessError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A configuration field holds a value outside its domain; `expected` says what is allowed.
    case invalidParameter(field: String, value: String, expected: String)
    /// Two configuration lists that pair up element by element have different lengths.
    case lengthMismatch(field: String, count: Int, otherField: String, otherCount: Int)
    /// A per-frame buffer does not have the number of floats the configuration implies.
    case bufferSizeMismatch(tensor: String, expected: Int, actual: Int)

    package var description: String {
        switch self {
        case let .invalidParameter(field, value, expected):
            return "\(field) is \(value), expected \(expected)"
        case let .lengthMismatch(field, count, otherField, otherCount):
            return "\(field) has \(count) entries but \(otherField) has \(otherCount); they must match one to one"
        case let .bufferSizeMismatch(tensor, expected, actual):
            return "\(tensor) holds \(actual) floats, expected \(expected)"
        }
    }

    package var errorDescription: String? { description }
}
