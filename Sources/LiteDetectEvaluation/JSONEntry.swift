import Foundation
import LiteDetectNN

/// One JSON object of an evaluation file, read field by field with errors that name the file, the
/// entry (`annotations[3] (id 17)`) and the field.
struct JSONEntry {
    let fields: [String: JSONValue]
    let file: String
    /// Where the object is in its document, e.g. `images[2]`.
    var entry: String

    init(_ value: JSONValue, file: String, entry: String) throws(EvaluationError) {
        guard case let .object(fields) = value else {
            throw .invalidEntry(file: file, entry: entry, problem: "must be an object, found \(value.kindDescription)")
        }
        self.fields = fields
        self.file = file
        self.entry = entry
    }

    func failure(_ problem: String) -> EvaluationError { .invalidEntry(file: file, entry: entry, problem: problem) }

    private func required(_ key: String) throws(EvaluationError) -> JSONValue {
        guard let value = fields[key] else { throw failure("missing '\(key)'") }
        return value
    }

    func number(_ key: String) throws(EvaluationError) -> Double {
        guard case let .number(value) = try required(key) else { throw failure("'\(key)' must be a number, found \(fields[key]!.kindDescription)") }
        return value
    }

    /// A whole number (also written `3.0`) that fits an `Int` exactly.
    func integer(_ key: String) throws(EvaluationError) -> Int {
        let value = try number(key)
        // 2^53: every integer up to it is exact in a Double, as in the file's text.
        guard value == value.rounded(), abs(value) <= 9_007_199_254_740_992 else {
            throw failure("'\(key)' must be a whole number, found \(value)")
        }
        return Int(value)
    }

    func optionalInteger(_ key: String) throws(EvaluationError) -> Int? {
        guard let value = fields[key], value != .null else { return nil }
        return try integer(key)
    }

    func string(_ key: String) throws(EvaluationError) -> String {
        guard case let .string(value) = try required(key) else { throw failure("'\(key)' must be a string, found \(fields[key]!.kindDescription)") }
        return value
    }

    /// COCO writes flags as 0/1; booleans are accepted too, as pycocotools' `int(…)` does.
    func flag(_ key: String) throws(EvaluationError) -> Bool {
        switch try required(key) {
        case let .bool(value): return value
        case .number(0): return false
        case .number(1): return true
        default: throw failure("'\(key)' must be 0 or 1")
        }
    }

    /// `[x, y, width, height]`: finite, width and height not negative.
    func box(_ key: String) throws(EvaluationError) -> COCOBox {
        guard case let .array(elements) = try required(key) else { throw failure("'\(key)' must be an array [x, y, width, height]") }
        var values: [Double] = []
        for element in elements {
            guard case let .number(value) = element else { throw failure("'\(key)' must hold 4 numbers [x, y, width, height]") }
            values.append(value)
        }
        guard values.count == 4 else { throw failure("'\(key)' must hold 4 numbers [x, y, width, height], found \(values.count)") }
        guard values[2] >= 0, values[3] >= 0 else {
            throw failure("'\(key)' has a negative width or height (\(values[2]) × \(values[3])); COCO boxes are [x, y, width, height]")
        }
        return COCOBox(x: values[0], y: values[1], width: values[2], height: values[3])
    }
}

/// Reads and parses a JSON file, turning failures into `EvaluationError`s that name it.
enum JSONDocument {
    static func read(contentsOf path: String) throws(EvaluationError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(file: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
        }
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws(EvaluationError) -> JSONValue {
        do {
            return try JSONParser.parse(data)
        } catch {
            throw .invalidJSON(file: file, line: error.line, column: error.column, path: error.path, problem: error.problem)
        }
    }

    /// The array under `key` of the top-level object.
    static func array(_ key: String, in document: JSONValue, file: String) throws(EvaluationError) -> [JSONValue] {
        guard case let .object(fields) = document else {
            throw .invalidEntry(
                file: file, entry: "",
                problem: "must be a JSON object with 'images', 'annotations' and 'categories', found \(document.kindDescription)")
        }
        guard let value = fields[key] else { throw .invalidEntry(file: file, entry: "", problem: "missing '\(key)'") }
        guard case let .array(elements) = value else {
            throw .invalidEntry(file: file, entry: key, problem: "must be an array, found \(value.kindDescription)")
        }
        return elements
    }
}
