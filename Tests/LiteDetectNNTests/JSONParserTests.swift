import LiteDetectNN
import XCTest

/// The strict JSON parser against RFC 8259 and against Python's `json` module, which wrote the
/// expected numbers' bit patterns and error positions below (`Tools/reference` is not needed:
/// `python3 -c "import json, struct; ..."` as in each comment).
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws(JSONParser.SyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func error(_ bytes: [UInt8]) -> JSONParser.SyntaxError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func error(_ text: String) -> JSONParser.SyntaxError? { error(Array(text.utf8)) }

    func testValuesAsRFC8259Defines() throws {
        XCTAssertEqual(
            try parse(#" {"a": [1, -2.5e1, true, false, null, "x\u00e9\n"], "b": {}} "#),
            .object(["a": .array([.number(1), .number(-25), .bool(true), .bool(false), .null, .string("xé\n")]), "b": .object([:])]))
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"), "a surrogate pair is one scalar")
        XCTAssertEqual(try parse("[]"), .array([]))
    }

    /// Numbers round as Python's `float()` does: struct.pack('<d', json.loads(text)).
    func testNumbersRoundCorrectly() throws {
        let expected: [(String, UInt64)] = [
            ("0.35000000000000003", 0x3FD6_6666_6666_6667),
            ("0.1", 0x3FB9_9999_9999_999A),
            ("1e308", 0x7FE1_CCF3_85EB_C8A0),
            ("123456789012345678901234567890", 0x45F8_EE90_FF6C_373E),
        ]
        for (text, bits) in expected {
            guard case let .number(value) = try parse(text) else { return XCTFail("\(text) is not a number") }
            XCTAssertEqual(value.bitPattern, bits, text)
        }
    }

    func testRepeatedKeysAreRefusedWithTheirPath() {
        let cases = [
            (#"{"a": 1, "a": 2}"#, "a"),
            (#"{"input": {"width": 320, "height": 1, "width": 640}}"#, "input.width"),
            (#"{"levels": [{"s": 1}, {"s": 2, "s": 3}]}"#, "levels[1].s"),
            (#"[[0], {"deep": {"x": [{}, {"y": 1, "y": 2}]}}]"#, "[1].deep.x[1].y"),
            (#"{"a": 1, "\u0061": 2}"#, "a"),  // an escape names the same key
        ]
        for (text, path) in cases {
            let found = error(text)
            XCTAssertEqual(found?.isRepeatedKey, true, text)
            XCTAssertEqual(found?.path, path, text)
        }
    }

    func testRepeatsInSeparateObjectsAndRepeatedValuesAreFine() {
        XCTAssertNil(error(#"{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}"#))
        XCTAssertNil(error(#"{"a": "a", "b": ["a", "a"], "c": "}, \"c\": {"}"#))
    }

    /// Positions as Python's `json` reports them (line and column, 1-based).
    func testSyntaxErrorsSayWhere() {
        // json.loads('{"a": 1,}') -> line 1 column 9
        let trailingComma = error(#"{"a": 1,}"#)
        XCTAssertEqual(trailingComma.map { [$0.line, $0.column] }, [1, 9])
        XCTAssertEqual(trailingComma?.isRepeatedKey, false)
        // json.loads('{\n  "a": [1,\n   2,,]}') -> line 3 column 6
        let doubleComma = error("{\n  \"a\": [1,\n   2,,]}")
        XCTAssertEqual(doubleComma.map { [$0.line, $0.column] }, [3, 6])
        XCTAssertEqual(doubleComma?.path, "a[2]")
    }

    func testWhatRFC8259DoesNotAllowIsRefused() {
        for text in [
            "", "NaN", "[1e999]", "[01]", "[1.]", "{'a': 1}", "[1] [2]", "\"a\tb\"", #""\x""#, #""\ud800""#, "[" + String(repeating: "[", count: 600),
        ] {
            XCTAssertNotNil(error(text), text)
        }
        XCTAssertEqual(error([0x22, 0x70, 0xE9, 0x22])?.problem, "the string is not valid UTF-8", "Latin-1 é is not UTF-8")
    }
}
