import Foundation

/// Why a model configuration was refused. Every case names the file and the key.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unreadable(file: String, reason: String)
    case invalidJSON(file: String, reason: String)
    case unknownKey(file: String, key: String, valid: [String])
    case missingKey(file: String, key: String)
    case wrongType(file: String, key: String, expected: String)
    case invalidValue(file: String, key: String, problem: String)
    case duplicateKey(file: String, key: String)
    case unknownModel(name: String, available: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read model config: \(reason)"
        case let .invalidJSON(file, reason): return "\(file): not valid JSON: \(reason)"
        case let .unknownKey(file, key, valid):
            return "\(file): unknown key '\(key)'; valid keys here: \(valid.joined(separator: ", "))"
        case let .missingKey(file, key): return "\(file): missing required key '\(key)'"
        case let .wrongType(file, key, expected):
            return key.isEmpty ? "\(file): the document must be \(expected)" : "\(file): '\(key)' must be \(expected)"
        case let .invalidValue(file, key, problem): return "\(file): '\(key)': \(problem)"
        case let .duplicateKey(file, key): return "\(file): key '\(key)' is given twice; keep one"
        case let .unknownModel(name, available):
            return "unknown model '\(name)'; available: \(available.joined(separator: ", ")) (or give a path to a .json config)"
        }
    }

    public var errorDescription: String? { description }
}
