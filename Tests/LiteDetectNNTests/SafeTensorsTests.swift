import Foundation
import LiteDetectNN
import XCTest

/// The safetensors reader against hand-built byte layouts from the format's specification
/// (8-byte little-endian header length, JSON header, raw little-endian data).
final class SafeTensorsTests: XCTestCase {
    /// Builds a file from a literal JSON header and raw data bytes, as the spec lays it out.
    private func file(_ header: String, _ data: [UInt8]) -> Data {
        var out = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    private func expectMalformed(_ data: Data, containing text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.parse(data, name: "w.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("w.safetensors"), "error should name the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(text), "expected '\(text)' in: \(message)", file: file, line: line)
        }
    }

    func testDecodesEveryFloatDType() throws {
        // IEEE encodings: F32 1.0 = 0x3F800000, F16 -2.0 = 0xC000, BF16 0.5 = 0x3F00, F64 3.0 = 0x4008000000000000.
        let header =
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]},"c":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},"d":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"__metadata__":{"format":"pt"}}"#
        let bytes: [UInt8] = [0x00, 0x00, 0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F, 0, 0, 0, 0, 0, 0, 0x08, 0x40]
        let parsed = try SafeTensors.parse(file(header, bytes), name: "w.safetensors")
        XCTAssertEqual(parsed.tensors.tensors["a"]?.values, [1.0])
        XCTAssertEqual(parsed.tensors.tensors["b"]?.values, [-2.0])
        XCTAssertEqual(parsed.tensors.tensors["c"]?.values, [0.5])
        XCTAssertEqual(parsed.tensors.tensors["d"]?.values, [3.0])
        XCTAssertEqual(parsed.tensors.tensors["d"]?.shape, [])
        XCTAssertEqual(parsed.metadata, ["format": "pt"])
    }

    func testSerializeWritesTheSpecLayout() throws {
        let data = try XCTUnwrap(SafeTensors.serialize(["w": .init(shape: [2], values: [1, -2])], metadata: ["k": "v"]))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + length) % 8, 0, "data should start 8-byte aligned")
        XCTAssertEqual(Array(data.suffix(8)), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        let parsed = try SafeTensors.parse(data, name: "round trip")
        XCTAssertEqual(parsed.tensors.tensors["w"]?.values, [1, -2])
        XCTAssertEqual(parsed.metadata, ["k": "v"])
    }

    func testSerializeAsFloat16WritesIEEEHalves() throws {
        // IEEE binary16: 1.0 = 0x3C00, -2.0 = 0xC000; 0.1 rounds to 0x2E66 (0.0999755859375).
        let data = try XCTUnwrap(SafeTensors.serialize(["w": .init(shape: [3], values: [1, -2, 0.1])], storage: .float16))
        XCTAssertEqual(Array(data.suffix(6)), [0x00, 0x3C, 0x00, 0xC0, 0x66, 0x2E])
        let parsed = try SafeTensors.parse(data, name: "half")
        XCTAssertEqual(parsed.tensors.tensors["w"]?.values, [1, -2, 0.0999755859375])
        // 1e5 is beyond float16's largest finite value (65504): refused, not stored as infinity.
        XCTAssertNil(SafeTensors.serialize(["w": .init(shape: [1], values: [1e5])], storage: .float16))
    }

    func testRejectsBrokenFiles() {
        expectMalformed(Data([1, 2, 3]), containing: "too short")
        expectMalformed(file(#"{}"#, []).prefix(9), containing: "header claims")
        expectMalformed(file(#"{"a": 1"#, []), containing: "header is not valid JSON: line 1, column 8")
        expectMalformed(file(#"[1]"#, []), containing: "not a JSON object")
        expectMalformed(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), containing: "needs 8 bytes")
        expectMalformed(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, [0, 0, 0, 0]), containing: "needs 4 bytes")
        expectMalformed(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [0, 0, 0, 0]), containing: "past the 4 data bytes")
        expectMalformed(
            file(
                #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
                [UInt8](repeating: 0, count: 8)),
            containing: "overlaps")
        expectMalformed(
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [UInt8](repeating: 0, count: 8)), containing: "belong to no tensor")
        expectMalformed(file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), containing: "negative dimension")
        expectMalformed(file(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), containing: "not a JSON object")
        expectMalformed(
            file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), containing: "overflows")
        XCTAssertThrowsError(
            try SafeTensors.parse(file(#"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)), name: "w")
        ) {
            XCTAssertEqual($0 as? WeightError, .unsupportedDType(name: "a", dtype: "I64"))
        }
    }

    func testHeaderLimitIsCheckedBeforeReading() {
        var data = Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        data.append(contentsOf: [UInt8](repeating: 0x20, count: 16))
        XCTAssertThrowsError(try SafeTensors.parse(data, name: "huge")) { error in
            guard case .tooLarge(_, let what, _, _) = error as? WeightError else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "the JSON header")
        }
    }

    func testMissingFileAndDirectoryAreClearErrors() {
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: "/nonexistent/w.safetensors")) {
            XCTAssertEqual($0 as? WeightError, .unreadable(file: "/nonexistent/w.safetensors", reason: "no such file"))
        }
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: NSTemporaryDirectory())) {
            XCTAssertEqual($0 as? WeightError, .unreadable(file: NSTemporaryDirectory(), reason: "is a directory"))
        }
    }
}
