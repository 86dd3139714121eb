import Foundation

/// A coding key for reading whatever keys a JSON object actually has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

/// Thrown inside decoding for a key that the config format does not know; turned into
/// `ConfigError.unknownKey` with the file name by `ModelConfig.load`.
struct UnknownKeyError: Error {
    var path: String
    var valid: [String]
}

/// Thrown inside decoding for a value that parses but cannot work.
struct InvalidValueError: Error {
    var path: String
    var problem: String
}

extension Decoder {
    /// Refuses keys not in `Keys`: a typo in a config must not be silently ignored.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let valid = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !valid.contains(key.stringValue) {
            throw UnknownKeyError(path: (codingPath + [key]).dottedPath, valid: valid)
        }
    }

    /// An error for the value at `key` under this decoder's position.
    func invalid(_ key: some CodingKey, _ problem: String) -> InvalidValueError {
        InvalidValueError(path: (codingPath + [key]).dottedPath, problem: problem)
    }
}

extension [any CodingKey] {
    var dottedPath: String {
        map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .reduce("") { path, part in part.hasPrefix("[") || path.isEmpty ? path + part : path + "." + part }
    }
}
