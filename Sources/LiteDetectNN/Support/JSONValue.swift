/// A parsed JSON value (`JSONParser`).
///
/// Numbers are kept as `Double`, parsed with correct rounding from their text: the same values
/// Python's `json` gives pycocotools, so that boxes and scores compare bit for bit.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// What a message calls this kind of value ("a string", "an array", …).
    package var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
