import Foundation
import XCTest

/// Locates and reads the committed reference fixtures (see Tools/reference/image/).
enum Fixtures {
    /// The `Fixtures` folder copied into the test bundle.
    static var root: URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures folder missing from the test bundle")
        }
        return url
    }

    /// Absolute path of a file given relative to `Fixtures/`.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    /// Little-endian float32 values.
    static func floats(_ relative: String) throws -> [Float] {
        let data = try Data(contentsOf: root.appendingPathComponent(relative))
        precondition(data.count % 4 == 0, "\(relative) is not a float32 file")
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func json<T: Decodable>(_ relative: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: root.appendingPathComponent(relative)))
    }
}

/// A scratch directory removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("LiteDetectImageTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}
