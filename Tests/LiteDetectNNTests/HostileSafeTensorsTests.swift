import Foundation
import LiteDetectNN
import LiteDetectTestSupport
import XCTest

/// Hostile weights files read from disk: the corpus in `Tests/HostileInput/weights` (one spec
/// violation each, see its README), files that are not files (FIFOs, devices, directories) and
/// files over the size limit. Each is refused by `SafeTensors.read` with an error naming the file
/// (or the tensor), quickly, and without reading what it should not.
final class HostileSafeTensorsTests: XCTestCase {
    struct CorpusEntry: Decodable {
        var file: String
        var error: String?
        var message: String?
    }

    struct CorpusManifest: Decodable {
        var weights: [CorpusEntry]
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HostileInput")

    private func entries() throws -> [CorpusEntry] {
        try JSONDecoder().decode(CorpusManifest.self, from: Data(contentsOf: Self.corpus.appendingPathComponent("MANIFEST.json"))).weights
    }

    private func caseName(_ error: WeightError) -> String {
        Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }

    /// Files broken in their structure are refused by the reader; the message names the file.
    func testMalformedFilesAreRefusedNamingTheFileAndTheProblem() throws {
        let structural = try entries().filter { ["malformed", "tooLarge", "unsupportedDType"].contains($0.error) }
        XCTAssertGreaterThanOrEqual(structural.count, 9)
        for entry in structural {
            let path = Self.corpus.appendingPathComponent(entry.file).path
            XCTAssertThrowsError(try SafeTensors.read(contentsOf: path), entry.file) { error in
                guard let error = error as? WeightError else { return XCTFail("\(entry.file): untyped \(error)") }
                XCTAssertEqual(caseName(error), entry.error, "\(entry.file): \(error)")
                XCTAssertTrue("\(error)".contains(entry.message ?? ""), "expected '\(entry.message ?? "")' in: \(error)")
                if entry.error != "unsupportedDType" {  // that one names the tensor instead
                    XCTAssertTrue("\(error)".contains(path), "the message must name the file: \(error)")
                }
            }
        }
    }

    /// A well-formed file with a NaN loads; taking the tensor is refused, naming it and the element.
    func testNaNWeightsAreRefusedWhenTaken() throws {
        let entry = try XCTUnwrap(entries().first { $0.error == "nonFinite" })
        var tensors = try SafeTensors.read(contentsOf: Self.corpus.appendingPathComponent(entry.file).path).tensors
        XCTAssertThrowsError(try tensors.take("w", shape: [3])) { error in
            XCTAssertEqual(error as? WeightError, .nonFinite(name: "w", index: 1))
            XCTAssertEqual("\(error)", entry.message)
        }
    }

    func testFIFOsDevicesAndDirectoriesAreRefusedBeforeReading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-weights-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/weights.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let cases: [(String, String)] = [
            (fifo, "is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "is a character device, not a regular file"),
            (directory, "is a directory"),
            (directory + "/missing.safetensors", "no such file"),
        ]
        for (path, reason) in cases {
            let blocked = try returnsWithoutBlocking(on: fifo) {
                XCTAssertThrowsError(try SafeTensors.read(contentsOf: path)) { error in
                    XCTAssertEqual(error as? WeightError, .unreadable(file: path, reason: reason))
                }
            }
            XCTAssertFalse(blocked, "\(path): reading blocked until a writer appeared")
        }
    }

    /// The file size limit is checked from the size on disk: a 3 GiB sparse file is refused at
    /// once under the default 2 GiB limit, and a limit one byte short refuses a real file.
    func testTheFileSizeLimitIsCheckedBeforeReading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-weights-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let huge = directory + "/huge.safetensors"
        let descriptor = open(huge, O_WRONLY | O_CREAT, 0o644)
        XCTAssertEqual(ftruncate(descriptor, 3 << 30), 0)
        close(descriptor)
        let start = ContinuousClock.now
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: huge)) { error in
            XCTAssertEqual(error as? WeightError, .tooLarge(file: huge, what: "the file", size: 3 << 30, limit: 2 << 30))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(100))

        let small = Self.corpus.appendingPathComponent("weights/nan_value.safetensors").path
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: small)[.size] as? Int)
        XCTAssertNoThrow(try SafeTensors.read(contentsOf: small, limits: .init(maxFileBytes: size)))
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: small, limits: .init(maxFileBytes: size - 1))) { error in
            XCTAssertEqual(error as? WeightError, .tooLarge(file: small, what: "the file", size: size, limit: size - 1))
        }
    }

    /// The header-length limit, from a file on disk: a header one byte over is refused before
    /// the JSON is parsed, one exactly at the limit is read.
    func testTheHeaderLimitIsCheckedFromAFileOnDisk() throws {
        let path = Self.corpus.appendingPathComponent("weights/nan_value.safetensors").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertNoThrow(try SafeTensors.read(contentsOf: path, limits: .init(maxHeaderBytes: headerLength)))
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: path, limits: .init(maxHeaderBytes: headerLength - 1))) { error in
            XCTAssertEqual(error as? WeightError, .tooLarge(file: path, what: "the JSON header", size: headerLength, limit: headerLength - 1))
        }
    }
}
