import Foundation
import LiteDetect
import LiteDetectTestSupport
import SystemPackage
import XCTest

/// What a library user prints with `error.localizedDescription`: the library's own message (file,
/// key, reason), not Foundation's "The operation could not be completed", and no command-line flags.
final class LibraryErrorMessageTests: XCTestCase {
    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return error.localizedDescription
        }
    }

    func testErrorsFromEveryLayerReadAsTheirMessage() throws {
        let missing = "/nonexistent/litedetect/photo.jpg"
        XCTAssertEqual(message { _ = try ImageFile.load(missing) }, ImageError.fileNotFound(path: missing).description)

        let config = "/nonexistent/litedetect/model.json"
        XCTAssertTrue(message { _ = try Detector(configFile: config) }.hasPrefix("\(config): cannot read model config"))

        // A layout without trained weights, read from the repository rather than the bundle.
        let layout = try ModelConfig.load(contentsOf: repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json").path)
        let noWeights = message { _ = try Detector(config: layout) }
        XCTAssertTrue(noWeights.contains("has no trained weights"), noWeights)
        XCTAssertFalse(noWeights.contains("--"), "a library message names no command-line flag: \(noWeights)")

        let catalog = ModelCatalog(directory: URL(fileURLWithPath: "/nonexistent/litedetect"))
        XCTAssertTrue(message { _ = try catalog.config(named: "x") }.contains("no such folder"))
    }
}

/// The `URL` overloads read the same files as the path APIs and refuse URLs that name no file.
final class FileURLTests: XCTestCase {
    func testFileURLsLoadWhatTheirPathsLoad() throws {
        let photo = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg")
        XCTAssertEqual(try ImageFile.load(photo).image, try ImageFile.load(photo.path).image)
        let config = repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json")
        XCTAssertEqual(try ModelConfig.load(contentsOf: config).name, "ssdlite320-mobilenetv3-small")
    }

    func testURLsThatNameNoFileAreRefused() {
        let remote = URL(string: "https://example.com/dog.jpg")!
        XCTAssertThrowsError(try ImageFile.load(remote)) { error in
            XCTAssertEqual(error as? ImageError, .unreadable(path: "https://example.com/dog.jpg", reason: "not a file URL"))
        }
        XCTAssertThrowsError(try Detector(configFile: remote)) { error in
            XCTAssertEqual(error as? ConfigError, .unreadable(file: "https://example.com/dog.jpg", reason: "not a file URL"))
        }
    }
}

/// The `FilePath` overloads read the same files as the path APIs and refuse a path whose bytes
/// are not UTF-8 (repairing them would name another file).
final class FilePathTests: XCTestCase {
    func testFilePathsLoadWhatTheirStringsLoad() throws {
        let photo = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg").path
        XCTAssertEqual(try ImageFile.load(FilePath(photo)).image, try ImageFile.load(photo).image)
        let config = repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json").path
        XCTAssertEqual(try ModelConfig.load(contentsOf: FilePath(config)).name, "ssdlite320-mobilenetv3-small")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-filepath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try ImageFile.load(photo).image
        let saved = FilePath(folder.path).appending("dog.png")
        try ImageFile.save(image, to: saved, as: .png)
        XCTAssertEqual(try ImageFile.load(saved).image, image)
        XCTAssertThrowsError(try ImageFile.save(image, to: saved, as: .png), "an existing file is kept")
    }

    func testPathsThatAreNotUTF8AreRefused() {
        // "photo\xFF.jpg": a byte no UTF-8 text contains.
        let bytes: [CChar] = Array("/tmp/photo".utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)] + Array(".jpg".utf8CString)
        let path = bytes.withUnsafeBufferPointer { FilePath(platformString: $0.baseAddress!) }
        XCTAssertThrowsError(try ImageFile.load(path)) { error in
            guard case let .unreadable(_, reason)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "the path is not valid UTF-8")
        }
        XCTAssertThrowsError(try Detector(configFile: path)) { error in
            guard case let .unreadable(_, reason)? = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "the path is not valid UTF-8")
        }
    }
}
