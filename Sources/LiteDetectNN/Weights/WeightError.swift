import Foundation

/// Why a weights file or a weight request was refused. Every case names the file or tensor.
package enum WeightError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case tooLarge(file: String, what: String, size: Int, limit: Int)
    case missing(name: String, source: String)
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    case unsupportedDType(name: String, dtype: String)
    case nonFinite(name: String, index: Int)
    case unused(names: [String], source: String)

    package var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read weights: \(reason)"
        case let .malformed(file, reason): return "\(file): not a valid safetensors file: \(reason)"
        case let .tooLarge(file, what, size, limit): return "\(file): \(what) is \(size) bytes, over the limit of \(limit)"
        case let .missing(name, source):
            return "\(source): no tensor named '\(name)' (is this the weights file for this model?)"
        case let .shapeMismatch(name, expected, actual):
            return "tensor '\(name)' has shape \(actual), the model expects \(expected)"
        case let .unsupportedDType(name, dtype): return "tensor '\(name)' has dtype \(dtype); supported: F32, F16, BF16, F64"
        case let .nonFinite(name, index): return "tensor '\(name)' holds a NaN or infinity at element \(index)"
        case let .unused(names, source):
            let shown = names.prefix(8).joined(separator: ", ")
            let more = names.count > 8 ? " and \(names.count - 8) more" : ""
            return "\(source): \(names.count) tensor(s) not used by the model: \(shown)\(more) (wrong model or config?)"
        }
    }

    package var errorDescription: String? { description }
}
