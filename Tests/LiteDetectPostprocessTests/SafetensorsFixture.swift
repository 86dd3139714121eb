import Foundation
import LiteDetectPostprocess
import XCTest

/// A reference fixture written by `Tools/reference/postprocess/fixture_io.py`: a `.safetensors`
/// file of float32 / int32 tensors whose `__metadata__["json"]` holds the case settings.
///
/// Deliberately tiny (the real loader lives in LiteDetectNN, which this module cannot see): it
/// reads the whole file, parses the JSON header and copies tensors out on request.
struct SafetensorsFixture {
    struct TensorEntry {
        var dtype: String
        var shape: [Int]
        var range: Range<Int>
    }

    let name: String
    let tensors: [String: TensorEntry]
    let settings: [String: Any]
    private let payload: Data

    /// Loads `Fixtures/<name>.safetensors` from the test bundle.
    init(named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        self.name = name
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil), file: file, line: line)
        let data = try Data(contentsOf: folder.appendingPathComponent(name + ".safetensors"))
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        let header = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: headerData) as? [String: Any], "\(name): header is not an object",
            file: file, line: line)
        var tensors: [String: TensorEntry] = [:]
        var settings: [String: Any] = [:]
        for (key, value) in header {
            let fields = try XCTUnwrap(value as? [String: Any], "\(name): entry \(key)", file: file, line: line)
            if key == "__metadata__" {
                let json = try XCTUnwrap(fields["json"] as? String, "\(name): metadata.json", file: file, line: line)
                settings = try XCTUnwrap(
                    try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], file: file, line: line)
                continue
            }
            let offsets = try XCTUnwrap(fields["data_offsets"] as? [Int], "\(name): \(key).data_offsets", file: file, line: line)
            tensors[key] = TensorEntry(
                dtype: try XCTUnwrap(fields["dtype"] as? String, file: file, line: line),
                shape: try XCTUnwrap(fields["shape"] as? [Int], file: file, line: line),
                range: (8 + headerLength + offsets[0])..<(8 + headerLength + offsets[1]))
        }
        self.tensors = tensors
        self.settings = settings
        self.payload = data
    }

    func shape(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        try XCTUnwrap(tensors[key], "\(name): no tensor \(key)", file: file, line: line).shape
    }

    /// A float32 tensor, flattened row-major.
    func floats(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        let entry = try XCTUnwrap(tensors[key], "\(name): no tensor \(key)", file: file, line: line)
        XCTAssertEqual(entry.dtype, "F32", "\(name): \(key) dtype", file: file, line: line)
        return payload.subdata(in: entry.range).withUnsafeBytes { raw in
            (0..<(entry.range.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// An int32 tensor, flattened row-major.
    func ints(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        let entry = try XCTUnwrap(tensors[key], "\(name): no tensor \(key)", file: file, line: line)
        XCTAssertEqual(entry.dtype, "I32", "\(name): \(key) dtype", file: file, line: line)
        return payload.subdata(in: entry.range).withUnsafeBytes { raw in
            (0..<(entry.range.count / 4)).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
        }
    }

    /// Rows of 4 floats read as corner boxes; `order` names the stored columns (e.g. "xyxy", "yxyx").
    func boxes(_ key: String, order: String = "xyxy", file: StaticString = #filePath, line: UInt = #line) throws -> [Box] {
        let values = try floats(key, file: file, line: line)
        XCTAssertEqual(try shape(key).last, 4, "\(name): \(key) is not [N, 4]", file: file, line: line)
        return stride(from: 0, to: values.count, by: 4).map { base in
            order == "yxyx"
                ? Box(x1: values[base + 1], y1: values[base], x2: values[base + 3], y2: values[base + 2])
                : Box(x1: values[base], y1: values[base + 1], x2: values[base + 2], y2: values[base + 3])
        }
    }

    /// A setting from the metadata JSON, by key path ("configs", 0, "name").
    func setting<T>(_ path: Any..., as type: T.Type = T.self, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        var current: Any = settings
        for component in path {
            if let key = component as? String, let object = current as? [String: Any], let next = object[key] {
                current = next
            } else if let index = component as? Int, let array = current as? [Any], array.indices.contains(index) {
                current = array[index]
            } else {
                throw FixtureError.missingSetting("\(name): \(path)")
            }
        }
        guard let value = current as? T else { throw FixtureError.missingSetting("\(name): \(path) is not \(T.self)") }
        return value
    }

    enum FixtureError: Error { case missingSetting(String) }
}

/// Asserts two boxes agree coordinate by coordinate within `tolerance`.
func assertBoxesClose(
    _ actual: Box, _ expected: Box, tolerance: Float, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    let differences = [actual.x1 - expected.x1, actual.y1 - expected.y1, actual.x2 - expected.x2, actual.y2 - expected.y2]
    let worst = differences.map(abs).max()!
    XCTAssert(worst <= tolerance, "\(message()): \(actual) vs \(expected) (max diff \(worst))", file: file, line: line)
}

/// Reads the 4 numbers of center-size anchor `index` (as the generators emit them) back into corners.
extension CenterSizeBox {
    /// This anchor in pixel corner form for an input of `width × height` (torchvision's output form).
    func pixelCorners(width: Float, height: Float) -> Box {
        let box = corners
        return Box(x1: box.x1 * width, y1: box.y1 * height, x2: box.x2 * width, y2: box.y2 * height)
    }
}
