/// Why a backbone could not be configured.
package enum BackboneError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownName(String, valid: [String])
    case invalidOption(backbone: BackboneName, option: String, value: String, expected: String)

    package var description: String {
        switch self {
        case let .unknownName(name, valid):
            return "unknown backbone '\(name)'; valid backbones: \(valid.joined(separator: ", "))"
        case let .invalidOption(backbone, option, value, expected):
            return "\(backbone): \(option) = \(value) is not allowed; expected \(expected)"
        }
    }
}
