import Foundation
import LiteDetectImage
import XCTest

/// Encoding round trips (PNG exact, JPEG close) and the file-writing contract: atomic,
/// never replacing a file unless asked, leaving no temporary files behind.
final class EncodeTests: XCTestCase {
    /// A real photo crop (the decoding of which is checked against Pillow elsewhere).
    private func photo() throws -> RGBImage {
        try ImageFile.load(Fixtures.path("decode/png_rgb8.png")).image
    }

    private func directoryListing(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func testPNGRoundTripIsExact() throws {
        let image = try photo()
        let encoded = try ImageEncoder.encode(image, as: .png)
        XCTAssertEqual(ImageFormat.detect(encoded), .png)
        XCTAssertEqual(try ImageDecoder.decode(encoded).image, image)
    }

    func testPaddedRowsEncodeLikePackedRows() throws {
        let image = try photo()
        let padding = 5
        var padded = [UInt8]()
        for y in 0..<image.height {
            padded += image.pixels[(y * image.bytesPerRow)..<((y + 1) * image.bytesPerRow)]
            padded += [UInt8](repeating: 0xAB, count: padding)
        }
        let paddedImage = try XCTUnwrap(RGBImage(width: image.width, height: image.height, bytesPerRow: image.bytesPerRow + padding, pixels: padded))
        XCTAssertEqual(paddedImage.packed(), image)
        XCTAssertEqual(try ImageEncoder.encode(paddedImage, as: .png), try ImageEncoder.encode(image, as: .png))
        XCTAssertEqual(try ImageEncoder.encode(paddedImage, as: .jpeg(quality: 80)), try ImageEncoder.encode(image, as: .jpeg(quality: 80)))
    }

    /// JPEG is lossy: at quality 95 a photo comes back within a small error, and lower quality
    /// means a smaller file and a larger error.
    func testJPEGRoundTripIsClose() throws {
        let image = try photo()
        func meanAndMaxError(_ quality: Int) throws -> (mean: Double, max: Int, size: Int) {
            let encoded = try ImageEncoder.encode(image, as: .jpeg(quality: quality))
            let decoded = try ImageDecoder.decode(encoded)
            XCTAssertEqual(decoded.format, .jpeg)
            let differences = zip(decoded.image.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
            return (Double(differences.reduce(0, +)) / Double(differences.count), differences.max()!, encoded.count)
        }
        let high = try meanAndMaxError(95)
        let low = try meanAndMaxError(30)
        // Measured with libjpeg-turbo 2.1.5: mean 0.74, max 6; the bounds leave room for other versions.
        XCTAssertLessThan(high.mean, 1.5)
        XCTAssertLessThanOrEqual(high.max, 12)
        XCTAssertGreaterThan(low.mean, high.mean)
        XCTAssertLessThan(low.size, high.size)
    }

    func testInvalidQualityIsRejected() throws {
        let image = try photo()
        for quality in [0, 101, -5] {
            XCTAssertThrowsError(try ImageEncoder.encode(image, as: .jpeg(quality: quality))) { error in
                guard case ImageError.encodingFailed(.jpeg, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("quality"), detail)
            }
        }
    }

    func testSaveWritesTheFileAndNoTemporaries() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/out.png"
        let image = try photo()
        try ImageFile.save(image, to: path, as: .png)
        XCTAssertEqual(try directoryListing(directory), ["out.png"])
        XCTAssertEqual(try ImageFile.load(path).image, image)
    }

    func testSaveRefusesToReplaceUnlessAsked() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/out.jpg"
        let image = try photo()
        try ImageFile.save(image, to: path, as: .jpeg(quality: 90))
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        let other = RGBImage(width: 3, height: 2, fill: .white)
        XCTAssertThrowsError(try ImageFile.save(other, to: path, as: .png)) { error in
            XCTAssertEqual(error as? ImageError, .fileExists(path: path))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), original)
        XCTAssertEqual(try directoryListing(directory), ["out.jpg"])

        try ImageFile.save(other, to: path, as: .png, overwrite: true)
        let replaced = try ImageFile.load(path)
        XCTAssertEqual(replaced.format, .png)  // the name says .jpg; the magic bytes decide
        XCTAssertEqual(replaced.image, other)
        XCTAssertEqual(try directoryListing(directory), ["out.jpg"])
    }

    func testSaveFailuresNameThePath() throws {
        let directory = try makeTemporaryDirectory(self)
        let image = RGBImage(width: 2, height: 2)
        let missingDirectory = directory + "/missing/out.png"
        XCTAssertThrowsError(try ImageFile.save(image, to: missingDirectory, as: .png)) { error in
            guard case ImageError.writeFailed(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missingDirectory)
        }
        XCTAssertThrowsError(try ImageFile.save(image, to: directory, as: .png, overwrite: true)) { error in
            XCTAssertEqual(error as? ImageError, .isDirectory(path: directory))
        }
        XCTAssertEqual(try directoryListing(directory), [])
    }

    /// Many writers race for one name: exactly one wins, the rest get `.fileExists`.
    func testConcurrentWritersCannotBothCreateTheFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/race.png"
        let outcomes = ConcurrentOutcomes()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let image = RGBImage(width: 4, height: 4, fill: RGBColor(red: UInt8(index * 30), green: 0, blue: 0))
            do {
                try ImageFile.save(image, to: path, as: .png)
                outcomes.record("created")
            } catch let error as ImageError where error == .fileExists(path: path) {
                outcomes.record("exists")
            } catch {
                outcomes.record("\(error)")
            }
        }
        XCTAssertEqual(outcomes.all.filter { $0 == "created" }.count, 1, "\(outcomes.all)")
        XCTAssertEqual(outcomes.all.filter { $0 == "exists" }.count, 7, "\(outcomes.all)")
        XCTAssertEqual(try directoryListing(directory), ["race.png"])
    }
}

/// Thread-safe list of strings for the race test.
private final class ConcurrentOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var values = [String]()
    func record(_ value: String) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
