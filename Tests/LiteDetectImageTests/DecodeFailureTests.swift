import Foundation
import LiteDetectImage
import XCTest

/// Malformed, hostile and missing inputs end in the right `ImageError` case: quickly,
/// without crashing and without allocating what a lying header asks for.
final class DecodeFailureTests: XCTestCase {
    struct Manifest: Decodable {
        struct Failure: Decodable {
            var file: String
            var error: String
        }
        var failures: [Failure]
    }

    /// The `ImageError` case name, to compare with the manifest's expectation.
    private func caseName(_ error: Error) -> String {
        guard let error = error as? ImageError else { return "not an ImageError: \(error)" }
        switch error {
        case .fileNotFound: return "fileNotFound"
        case .isDirectory: return "isDirectory"
        case .unreadable: return "unreadable"
        case .empty: return "empty"
        case .unknownFormat: return "unknownFormat"
        case .corrupt: return "corrupt"
        case .truncated: return "truncated"
        case .unsupported: return "unsupported"
        case .tooLarge: return "tooLarge"
        case .outOfMemory: return "outOfMemory"
        case .fileExists: return "fileExists"
        case .writeFailed: return "writeFailed"
        case .encodingFailed: return "encodingFailed"
        case .sizeMismatch: return "sizeMismatch"
        case .invalidOption: return "invalidOption"
        }
    }

    func testEveryMalformedFileThrowsTheExpectedErrorQuickly() throws {
        let manifest = try Fixtures.json("decode/cases.json", as: Manifest.self)
        XCTAssertGreaterThanOrEqual(manifest.failures.count, 15)
        for failure in manifest.failures {
            let path = Fixtures.path(failure.file)
            let start = Date()
            XCTAssertThrowsError(try ImageFile.load(path), failure.file) { error in
                XCTAssertEqual(caseName(error), failure.error, "\(failure.file): \(error)")
                // Messages name the file, so a user knows which input was bad.
                XCTAssertTrue(String(describing: error).contains(path), "\(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "\(failure.file) took too long")
        }
    }

    func testHugeHeaderReportsTheNumbers() throws {
        let path = Fixtures.path("decode/png_65535x65535_header.png")
        XCTAssertThrowsError(try ImageFile.load(path)) { error in
            XCTAssertEqual(error as? ImageError, .tooLarge(source: path, width: 65535, height: 65535, maxPixels: 100_000_000))
            XCTAssertTrue(String(describing: error).contains("65535x65535"))
        }
    }

    /// A limit raised without bound still stops at the ceiling: a 65535×65535 header (4.3 G
    /// pixels, 12.9 GB of RGB) is refused before any pixel memory is allocated.
    func testNoPixelLimitGoesAboveTheCeiling() throws {
        let path = Fixtures.path("decode/png_65535x65535_header.png")
        XCTAssertThrowsError(try ImageFile.load(path, options: ImageDecodingOptions(maxPixels: .max))) { error in
            XCTAssertEqual(
                error as? ImageError, .tooLarge(source: path, width: 65535, height: 65535, maxPixels: ImageDecodingOptions.pixelCeiling))
        }
    }

    func testPixelLimitIsConfigurable() throws {
        let path = Fixtures.path("decode/png_rgb8.png")  // 37x21 = 777 pixels
        XCTAssertNoThrow(try ImageFile.load(path, options: ImageDecodingOptions(maxPixels: 777)))
        XCTAssertThrowsError(try ImageFile.load(path, options: ImageDecodingOptions(maxPixels: 776))) { error in
            XCTAssertEqual(error as? ImageError, .tooLarge(source: path, width: 37, height: 21, maxPixels: 776))
        }
    }

    func testMissingFileAndDirectoryAreNamed() throws {
        let directory = try makeTemporaryDirectory(self)
        let missing = directory + "/nope.jpg"
        XCTAssertThrowsError(try ImageFile.load(missing)) { error in
            XCTAssertEqual(error as? ImageError, .fileNotFound(path: missing))
        }
        XCTAssertThrowsError(try ImageFile.load(missing + "/below-a-missing-directory.png")) { error in
            XCTAssertEqual(caseName(error), "fileNotFound")
        }
        XCTAssertThrowsError(try ImageFile.load(directory)) { error in
            XCTAssertEqual(error as? ImageError, .isDirectory(path: directory))
        }
    }

    /// A file whose read() fails: on Linux, reading /proc/self/mem at offset 0 fails with EIO,
    /// even for root.
    func testReadErrorsAreReportedAsUnreadable() throws {
        #if os(Linux)
        XCTAssertThrowsError(try ImageFile.load("/proc/self/mem")) { error in
            guard case ImageError.unreadable(let path, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/proc/self/mem")
            XCTAssertFalse(reason.isEmpty)
        }
        #else
        throw XCTSkip("needs Linux's /proc")
        #endif
    }

    func testFileWithoutReadPermissionIsUnreadable() throws {
        guard getuid() != 0 else { throw XCTSkip("root can read files without read permission") }
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/locked.png"
        try Data(Fixtures.bytes("decode/png_rgb8.png")).write(to: URL(fileURLWithPath: path))
        chmod(path, 0)
        XCTAssertThrowsError(try ImageFile.load(path)) { error in
            XCTAssertEqual(caseName(error), "unreadable")
        }
    }

    func testEmptyAndUnknownBuffersNameTheirSource() {
        XCTAssertThrowsError(try ImageDecoder.decode([], source: "camera frame 3")) { error in
            XCTAssertEqual(error as? ImageError, .empty(source: "camera frame 3"))
        }
        XCTAssertThrowsError(try ImageDecoder.decode(Array("GIF89a".utf8), source: "upload")) { error in
            XCTAssertEqual(error as? ImageError, .unknownFormat(source: "upload", leadingBytes: Array("GIF89a".utf8)))
            XCTAssertTrue(String(describing: error).contains("47 49 46 38 39 61"), "\(error)")
        }
    }

    /// Every prefix of a valid file either decodes or throws; none crashes or hangs.
    func testEveryPrefixOfAJPEGAndAPNGIsHandled() throws {
        for file in ["decode/jpeg_progressive_420.jpg", "decode/png_rgb8_interlaced.png"] {
            let bytes = try Fixtures.bytes(file)
            for length in stride(from: 1, to: bytes.count, by: 7) {
                do {
                    _ = try ImageDecoder.decode(Array(bytes.prefix(length)), source: "\(file)[..<\(length)]")
                } catch {
                    switch error {
                    case .truncated, .corrupt, .unknownFormat: break
                    default: XCTFail("\(file) prefix \(length): unexpected \(error)")
                    }
                }
            }
        }
    }
}
