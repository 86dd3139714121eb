import Foundation
import LiteDetectNN
import XCTest

/// Repeated keys in one JSON object (RFC 8259 §4: names "SHOULD be unique"; parsers differ on
/// which value wins), found with the object's path; repeats in different objects are fine.
final class DuplicateJSONKeysTests: XCTestCase {
    private func found(_ json: String) -> DuplicateJSONKeys.Found? {
        DuplicateJSONKeys.first(in: Data(json.utf8))
    }

    func testUniqueKeysAndRepeatsInSeparateObjectsAreFine() {
        XCTAssertNil(found(#"{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}"#))
        XCTAssertNil(found(#"{"a": "a", "b": ["a", "a"]}"#), "repeated values are not keys")
        XCTAssertNil(found(#"[1, "x", {"k": {}}, []]"#))
    }

    func testRepeatsAreFoundWithTheirPath() {
        XCTAssertEqual(found(#"{"a": 1, "a": 2}"#)?.dottedKey, "a")
        XCTAssertEqual(found(#"{"input": {"width": 320, "height": 1, "width": 640}}"#)?.dottedKey, "input.width")
        XCTAssertEqual(found(#"{"levels": [{"s": 1}, {"s": 2, "s": 3}]}"#)?.dottedKey, "levels[1].s")
        XCTAssertEqual(found(#"[[0], {"deep": {"x": [{}, {"y": 1, "y": 2}]}}]"#)?.dottedKey, "[1].deep.x[1].y")
    }

    func testStringsThatLookLikeStructureDoNotConfuseIt() {
        XCTAssertNil(found(#"{"a": "}, \"a\": {", "b": "[\\"}"#))
        XCTAssertNil(found(#"{"a,b": 1, "a": 2, "b": 3}"#))
        XCTAssertEqual(found(#"{"q\"": 1, "q\u0022": 2}"#)?.key, #"q""#, "escapes name the same key")
        XCTAssertEqual(found(#"{"a": 1, "\u0061": 2}"#)?.key, "a")
    }

    func testMalformedTextReportsNothing() {
        XCTAssertNil(found(#"{"a": 1, "a"#), "an unterminated string: the parser reports the syntax")
        XCTAssertNil(found("}}]]"))
        XCTAssertNil(found(""))
    }
}
