import Foundation

/// Finds a key that appears twice in one JSON object.
///
/// JSON parsers disagree on `{"a": 1, "a": 2}`: Foundation's decoder keeps one of the values
/// without a word, so a config or a weights header that names a key twice would load with a value
/// the author may not have meant. The files we read refuse it instead; this scanner says where.
/// It only looks at structure (strings, brackets, commas) and expects text that is otherwise valid
/// JSON: on anything it does not understand it gives up and reports nothing, leaving the syntax
/// error to the real parser.
public enum DuplicateJSONKeys {
    public struct Found: Equatable, Sendable {
        /// The repeated key.
        public let key: String
        /// Dotted path of the object holding it (`""` for the top level; array elements as `[i]`).
        public let path: String
        /// The repeated key with its path, as error messages print it.
        public var dottedKey: String { path.isEmpty ? key : "\(path).\(key)" }
    }

    private enum Container {
        case object(keys: Set<String>, path: String, expectingKey: Bool, lastKey: String)
        case array(path: String, index: Int)

        /// Path of the value now being read inside this container.
        var childPath: String {
            switch self {
            case let .object(_, path, _, lastKey): return path.isEmpty ? lastKey : "\(path).\(lastKey)"
            case let .array(path, index): return "\(path)[\(index)]"
            }
        }
    }

    /// The first repeated key in `data` (in file order), or nil.
    public static func first<Bytes: Collection<UInt8>>(in data: Bytes) -> Found? where Bytes.Index == Int {
        var stack: [Container] = []
        var i = data.startIndex
        while i < data.endIndex {
            let byte = data[i]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(.object(keys: [], path: stack.last?.childPath ?? "", expectingKey: true, lastKey: ""))
            case UInt8(ascii: "["):
                stack.append(.array(path: stack.last?.childPath ?? "", index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard stack.popLast() != nil else { return nil }
            case UInt8(ascii: ","):
                switch stack.last {
                case let .object(keys, path, _, lastKey): stack[stack.count - 1] = .object(keys: keys, path: path, expectingKey: true, lastKey: lastKey)
                case let .array(path, index): stack[stack.count - 1] = .array(path: path, index: index + 1)
                case nil: return nil
                }
            case UInt8(ascii: "\""):
                guard let end = endOfString(in: data, openingQuote: i) else { return nil }
                if case .object(var keys, let path, true, _) = stack.last {
                    guard let key = decodeString(data[i...end]) else { return nil }
                    if !keys.insert(key).inserted { return Found(key: key, path: path) }
                    stack[stack.count - 1] = .object(keys: keys, path: path, expectingKey: false, lastKey: key)
                }
                i = end
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// Index of the quote that closes the string opened at `openingQuote`.
    private static func endOfString<Bytes: Collection<UInt8>>(in data: Bytes, openingQuote: Int) -> Int? where Bytes.Index == Int {
        var i = openingQuote + 1
        while i < data.endIndex {
            switch data[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i
            default: i += 1
            }
        }
        return nil
    }

    /// The string a quoted JSON token stands for; escapes (rare in keys) go through the real parser.
    private static func decodeString<Bytes: Collection<UInt8>>(_ token: Bytes) -> String? {
        guard token.contains(UInt8(ascii: "\\")) else { return String(decoding: token.dropFirst().dropLast(), as: UTF8.self) }
        return try? JSONDecoder().decode(String.self, from: Data(token))
    }
}
