import Foundation
import LiteDetect
import LiteDetectTestSupport
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
