import Foundation
import LiteDetectImage
import XCTest

/// Hostile image inputs: the corpus in `Tests/HostileInput/images` (see its README), single bit
/// flips over whole files, things on disk that are not image files (FIFOs, devices, huge sparse
/// files), and writes that fail half-way. None may crash, hang or read without bound; every
/// failure is a typed `ImageError` naming the file; a failed write leaves nothing behind.
final class HostileImageTests: XCTestCase {
    /// One entry of `Tests/HostileInput/MANIFEST.json`.
    struct CorpusEntry: Decodable {
        var file: String
        var error: String?
        var message: String?
        var decodes: String?
        var width: Int?
        var height: Int?
    }

    struct CorpusManifest: Decodable {
        var images: [CorpusEntry]
    }

    /// `Tests/HostileInput`, found from this source file (the corpus is not a bundle resource).
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HostileInput")

    private func manifest() throws -> CorpusManifest {
        try JSONDecoder().decode(CorpusManifest.self, from: Data(contentsOf: Self.corpus.appendingPathComponent("MANIFEST.json")))
    }

    /// The `ImageError` case name (every case has a payload, so reflection names it).
    private func caseName(_ error: ImageError) -> String {
        Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }

    // MARK: The corpus

    func testCorpusImagesFailWithTheLibrarysOwnMessage() throws {
        let failures = try manifest().images.filter { $0.error != nil }
        XCTAssertGreaterThanOrEqual(failures.count, 3)
        for entry in failures {
            let path = Self.corpus.appendingPathComponent(entry.file).path
            let start = ContinuousClock.now
            XCTAssertThrowsError(try ImageFile.load(path), entry.file) { error in
                guard let error = error as? ImageError else { return XCTFail("\(entry.file): untyped \(error)") }
                XCTAssertEqual(caseName(error), entry.error, "\(entry.file): \(error)")
                XCTAssertTrue("\(error)".contains(path), "the message must name the file: \(error)")
                XCTAssertTrue("\(error)".contains(entry.message ?? ""), "expected '\(entry.message ?? "")' in: \(error)")
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(1), entry.file)
        }
    }

    /// A zTXt chunk that inflates to 64 MiB sits before the pixels: libpng's chunk limit must
    /// skip it, and the image must decode exactly as Pillow decoded the same file without it.
    func testCompressedTextBombIsSkippedAndTheImageStillDecodes() throws {
        let entry = try XCTUnwrap(manifest().images.first { $0.decodes != nil })
        let start = ContinuousClock.now
        let decoded = try ImageFile.load(Self.corpus.appendingPathComponent(entry.file).path)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        XCTAssertEqual(decoded.image.width, entry.width)
        XCTAssertEqual(decoded.image.height, entry.height)
        let reference = try Data(
            contentsOf: Self.corpus.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(try XCTUnwrap(entry.decodes)))
        XCTAssertEqual(decoded.image.pixels, [UInt8](reference), "the pixels must be Pillow's")
    }

    // MARK: Bit flips

    /// Every byte of a small JPEG and PNG, one bit flipped at a time: each variant decodes (to an
    /// image within the pixel limit, its buffer exactly filled) or throws a decoding error.
    /// A flip may land anywhere: markers, lengths, Huffman tables, CRCs, compressed data.
    func testEverySingleBitFlipDecodesOrThrowsATypedError() throws {
        let options = ImageDecodingOptions(maxPixels: 1 << 20)
        var outcomes: [String: Int] = [:]
        for file in ["decode/jpeg_progressive_420.jpg", "decode/png_rgb8_interlaced.png", "decode/jpeg_exif_orientation_6.jpg"] {
            let original = try Fixtures.bytes(file)
            let start = ContinuousClock.now
            for offset in original.indices {
                var bytes = original
                bytes[offset] ^= UInt8(1) << UInt8(offset % 8)
                do {
                    let decoded = try ImageDecoder.decode(bytes, source: "flip", options: options)
                    XCTAssertLessThanOrEqual(decoded.image.width * decoded.image.height, options.maxPixels)
                    XCTAssertEqual(decoded.image.pixels.count, decoded.image.height * decoded.image.bytesPerRow)
                    outcomes["decoded", default: 0] += 1
                } catch {
                    switch error {
                    case .corrupt, .truncated, .unsupported, .unknownFormat, .tooLarge: outcomes[caseName(error), default: 0] += 1
                    default: XCTFail("\(file) byte \(offset): unexpected \(error)")
                    }
                }
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "\(file): \(original.count) flips took too long")
        }
        // Both outcomes must occur, or the sweep is not reaching the decoders.
        XCTAssertGreaterThan(outcomes["decoded", default: 0], 100, "\(outcomes)")
        XCTAssertGreaterThan(outcomes["corrupt", default: 0], 10, "\(outcomes)")
    }

    // MARK: Things on disk that are not image files

    /// A FIFO would block `open` until a writer appears; it must be refused at once instead.
    func testAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let directory = try makeTemporaryDirectory(self)
        let fifo = directory + "/camera.jpg"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let outcome = LoadOutcome()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { _ = try ImageFile.load(fifo) } catch { outcome.error = error as? ImageError }
            finished.signal()
        }
        if finished.wait(timeout: .now() + 5) == .timedOut {
            // Release the blocked reader (opening the write end completes its open) and fail.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            _ = finished.wait(timeout: .now() + 5)
            return XCTFail("loading a FIFO blocked")
        }
        guard case .unreadable(let path, let reason) = outcome.error else { return XCTFail("\(String(describing: outcome.error))") }
        XCTAssertEqual(path, fifo)
        XCTAssertTrue(reason.contains("FIFO"), reason)
    }

    /// `/dev/zero` never ends and `/dev/null` is empty by nature: devices are refused before reading.
    func testDevicesAreRefusedBeforeAnyRead() {
        for device in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            XCTAssertThrowsError(try ImageFile.load(device)) { error in
                XCTAssertEqual(error as? ImageError, .unreadable(path: device, reason: "is a character device, not a regular file"))
            }
        }
    }

    /// A 4 GiB file (sparse: no disk used) is refused from its size, before a byte is read, and
    /// the limit is the option's.
    func testTheFileSizeLimitIsCheckedBeforeReading() throws {
        let directory = try makeTemporaryDirectory(self)
        let huge = directory + "/huge.png"
        let descriptor = open(huge, O_WRONLY | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        XCTAssertEqual(ftruncate(descriptor, 4 << 30), 0)
        close(descriptor)
        let start = ContinuousClock.now
        XCTAssertThrowsError(try ImageFile.load(huge)) { error in
            XCTAssertEqual(
                error as? ImageError,
                .unreadable(
                    path: huge, reason: "the file is \(4 << 30) bytes, more than the limit of \(1 << 30) for an image"))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(100), "refused by size, not by reading")

        let small = directory + "/small.png"
        let bytes = try Fixtures.bytes("decode/png_rgb8.png")
        try Data(bytes).write(to: URL(fileURLWithPath: small))
        XCTAssertNoThrow(try ImageFile.load(small, options: ImageDecodingOptions(maxFileBytes: bytes.count)))
        XCTAssertThrowsError(try ImageFile.load(small, options: ImageDecodingOptions(maxFileBytes: bytes.count - 1))) { error in
            XCTAssertTrue("\(error)".contains("more than the limit of \(bytes.count - 1)"), "\(error)")
        }
    }

    // MARK: Writes that fail half-way

    /// An image too large for JPEG fails in the encoder, before any file exists.
    func testAFailedEncodeLeavesNoFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/wide.jpg"
        XCTAssertThrowsError(try ImageFile.save(RGBImage(width: 65_536, height: 1), to: path, as: .jpeg(quality: 90))) { error in
            guard case .encodingFailed(.jpeg, _) = error as? ImageError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    /// The disk "fills" mid-write (a file size limit makes `write` fail with EFBIG): the target
    /// does not appear, an existing target keeps its old bytes, and the temporary is removed.
    func testAWriteThatFailsHalfWayLeavesNoPartialFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/noise.png"
        var image = RGBImage(width: 256, height: 256)
        var state: UInt32 = 12345
        for i in image.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            image.pixels[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        let encodedSize = try ImageEncoder.encode(image, as: .png).count
        XCTAssertGreaterThan(encodedSize, 100_000, "incompressible noise")

        try withFileSizeLimit(16 << 10) {
            XCTAssertThrowsError(try ImageFile.save(image, to: path, as: .png)) { error in
                guard case .writeFailed(let failed, let reason) = error as? ImageError else { return XCTFail("\(error)") }
                XCTAssertEqual(failed, path)
                XCTAssertEqual(reason, String(cString: strerror(EFBIG)))
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])

        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        try withFileSizeLimit(16 << 10) {
            XCTAssertThrowsError(try ImageFile.save(image, to: path, as: .png, overwrite: true))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("previous".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["noise.png"])
    }

    /// Runs `body` with RLIMIT_FSIZE lowered and SIGXFSZ ignored, so an oversized write fails
    /// with EFBIG instead of killing the process; both are restored afterwards.
    private func withFileSizeLimit(_ bytes: Int, _ body: () throws -> Void) throws {
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = saved
        limited.rlim_cur = rlim_t(bytes)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        try body()
    }
}

/// The result of a load on another thread.
private final class LoadOutcome: @unchecked Sendable {
    // Written by the loading thread before it signals; read after the wait.
    var error: ImageError?
}
