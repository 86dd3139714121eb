import Foundation

/// Why a network could not be built: a layer whose shapes cannot work, or weights that do not fit.
package enum GraphError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case invalidLayer(name: String, problem: String)
    case shapeMismatch(operation: String, shapes: [String])
    case unknownOutput(name: String)

    package var description: String {
        switch self {
        case let .invalidLayer(name, problem): return "layer '\(name)': \(problem)"
        case let .shapeMismatch(operation, shapes): return "\(operation): incompatible shapes \(shapes.joined(separator: ", "))"
        case let .unknownOutput(name): return "no output named '\(name)'"
        }
    }

    package var errorDescription: String? { description }
}
