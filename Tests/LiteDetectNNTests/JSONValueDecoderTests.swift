import Foundation
import LiteDetectNN
import XCTest

/// `JSONValueDecoder` (types from the strict parser's values) against Foundation's `JSONDecoder`
/// on the same documents: the same values where both accept a document, the same kind of error
/// at the same coding path where both refuse it.
final class JSONValueDecoderTests: XCTestCase {
    private struct Sample: Decodable, Equatable {
        struct Level: Decodable, Equatable {
            var stride: Int
            var scales: [Float]
            var name: String?
        }
        var count: Int
        var small: UInt8
        var ratio: Double
        var gain: Float
        var enabled: Bool
        var label: String
        var levels: [Level]
        var grid: [[Int]]
        var table: [String: Int]
        var note: String?
    }

    private enum Outcome: Equatable {
        case value(Sample)
        /// The error's kind and dotted coding path.
        case failure(kind: String, path: String)
    }

    private func outcome(_ decode: () throws -> Sample) -> Outcome {
        do { return .value(try decode()) } catch let error as DecodingError {
            let (kind, context): (String, DecodingError.Context)
            switch error {
            case let .typeMismatch(_, c): (kind, context) = ("typeMismatch", c)
            case let .valueNotFound(_, c): (kind, context) = ("valueNotFound", c)
            case let .keyNotFound(key, c):
                (kind, context) = ("keyNotFound", DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: ""))
            case let .dataCorrupted(c): (kind, context) = ("dataCorrupted", c)
            @unknown default: return .failure(kind: "unknown", path: "")
            }
            return .failure(kind: kind, path: context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."))
        } catch {
            return .failure(kind: "other", path: "\(error)")
        }
    }

    private func compare(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = Data(text.utf8)
        let foundation = outcome { try JSONDecoder().decode(Sample.self, from: data) }
        let value = try JSONParser.parse(data)
        let ours = outcome { try JSONValueDecoder().decode(Sample.self, from: value) }
        XCTAssertEqual(ours, foundation, text, file: file, line: line)
    }

    private let valid = #"""
        {"count": 3, "small": 255, "ratio": 0.35000000000000003, "gain": 1.5, "enabled": true, "label": "x\u00e9",
         "levels": [{"stride": 8, "scales": [0.1, 2]}, {"stride": 16, "scales": [], "name": null}],
         "grid": [[1, 2], [], [3]], "table": {"a": 1, "b": -2}, "note": null}
        """#

    func testValidDocumentsDecodeAsFoundationDecodesThem() throws {
        try compare(valid)
        // Whole numbers written as decimals or exponents are integers to both.
        try compare(valid.replacingOccurrences(of: #""count": 3"#, with: #""count": 3.0"#))
        try compare(valid.replacingOccurrences(of: #""count": 3"#, with: #""count": 3e2"#))
        try compare(valid.replacingOccurrences(of: #""note": null"#, with: #""note": "kept""#))
        try compare(valid.replacingOccurrences(of: #", "note": null"#, with: ""))
    }

    func testInvalidValuesFailAsFoundationFailsThem() throws {
        let changes: [(String, String)] = [
            (#""count": 3"#, #""count": "3""#),  // a string for an integer
            (#""count": 3"#, #""count": null"#),  // null for a required value
            (#""count": 3, "#, ""),  // a required key missing
            (#""small": 255"#, #""small": true"#),  // a boolean for an integer
            (#""enabled": true"#, #""enabled": 1"#),  // a number for a boolean
            (#""label": "x\u00e9""#, #""label": 7"#),  // a number for a string
            (#""stride": 16"#, #""stride": [16]"#),  // an array for an integer, inside an array
            (#""grid": [[1, 2], [], [3]]"#, #""grid": [[1, "2"]]"#),  // a string inside nested arrays
            (#""table": {"a": 1, "b": -2}"#, #""table": [1]"#),  // an array for an object
            (#""levels": ["#, #""levels": [3, "#),  // a number for an object in an array
        ]
        for (old, new) in changes {
            let text = valid.replacingOccurrences(of: old, with: new)
            XCTAssertNotEqual(text, valid, "the change \(old) → \(new) applies")
            try compare(text)
        }
    }

    /// Numbers an integer or Float cannot hold exactly are errors at their path, not rounded.
    func testNumbersOutOfTheirTypeAreRefused() throws {
        for (old, new) in [
            (#""count": 3"#, #""count": 3.5"#), (#""small": 255"#, #""small": 256"#), (#""small": 255"#, #""small": -1"#),
            (#""gain": 1.5"#, #""gain": 1e39"#),
        ] {
            let value = try JSONParser.parse(Data(valid.replacingOccurrences(of: old, with: new).utf8))
            let result = outcome { try JSONValueDecoder().decode(Sample.self, from: value) }
            let key = String(new.dropFirst().prefix { $0 != "\"" })
            XCTAssertEqual(result, .failure(kind: "dataCorrupted", path: key), new)
        }
    }
}
