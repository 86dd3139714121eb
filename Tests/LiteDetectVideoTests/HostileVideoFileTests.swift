import Foundation
import LiteDetect
import LiteDetectVideo
import XCTest

/// Damaged and hostile inputs: each gives a clear `VideoError`, never a crash, a hang or an
/// allocation the file's header asked for. Frames before the damage are delivered.
final class HostileVideoFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("HostileVideoFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func fixture(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: FrameHashFixture.path(name)))) }

    /// Reads frames until the end or an error: how many came, and the error.
    private func readUntilFailure(_ path: String) -> (frames: Int, error: VideoError?) {
        var frames = 0
        do {
            let reader = try VideoFileReader(path: path)
            while try reader.withNextFrame({ _, _ in }) { frames += 1 }
            return (frames, nil)
        } catch {
            return (frames, error as? VideoError)
        }
    }

    func testEmptyFileIsNotAVideo() throws {
        let path = try write([], "empty.mp4")
        XCTAssertEqual(readUntilFailure(path).error, .notVideo(source: path, reason: "the file is empty"))
    }

    func testTextIsNotAVideo() throws {
        let path = try write(Array(String(repeating: "not a video, just some words\n", count: 200).utf8), "notes.mp4")
        guard case .notVideo(let source, _)? = readUntilFailure(path).error else { return XCTFail("\(readUntilFailure(path))") }
        XCTAssertEqual(source, path)
    }

    /// A WAV file is a container FFmpeg reads, but holds no video.
    func testAudioOnlyFileHasNoVideoStream() throws {
        let samples = [UInt8](repeating: 0x80, count: 8000)
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xff) } }
        let wav =
            Array("RIFF".utf8) + le32(36 + samples.count) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(8000) + le32(8000)
            + le16(1) + le16(8) + Array("data".utf8) + le32(samples.count) + samples
        let path = try write(wav, "tone.wav")
        guard case .notVideo(_, let reason)? = readUntilFailure(path).error else { return XCTFail("\(readUntilFailure(path))") }
        XCTAssertTrue(reason.contains("no video stream"), reason)
    }

    func testDirectoriesFIFOsAndMissingFilesAreRefused() throws {
        XCTAssertEqual(readUntilFailure(directory.path).error, .readFailed(source: directory.path, reason: "is a directory"))
        let fifo = directory.appendingPathComponent("camera.mp4").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // Without a writer on the FIFO, opening it for reading would block: it must not even be opened.
        XCTAssertEqual(readUntilFailure(fifo).error, .readFailed(source: fifo, reason: "is a FIFO (named pipe), not a regular file"))
        let missing = directory.appendingPathComponent("missing.mp4").path
        XCTAssertEqual(readUntilFailure(missing).error, .fileNotFound(path: missing))
    }

    /// An MP4 cut in half (index first, so its header is whole): the frames whose data is there
    /// come out, then an error naming the frame where the data ends.
    func testTruncatedMP4FailsAfterTheFramesItHolds() throws {
        let bytes = try fixture("vtest.mp4")
        let path = try write(Array(bytes.prefix(bytes.count / 2)), "half.mp4")
        let (frames, error) = readUntilFailure(path)
        guard case .damagedVideo(let source, let frame, let reason)? = error else { return XCTFail("\(frames) frames, \(String(describing: error))") }
        XCTAssertEqual(source, path)
        XCTAssertEqual(frame, frames)
        XCTAssertTrue((5..<30).contains(frames), "\(frames) frames before the cut")
        XCTAssertFalse(reason.isEmpty)
    }

    /// The first kilobytes only: not even the index is whole.
    func testMP4CutInsideItsHeaderIsRefused() throws {
        let bytes = try fixture("vtest.mp4")
        let path = try write(Array(bytes.prefix(600)), "head.mp4")
        let (frames, error) = readUntilFailure(path)
        XCTAssertEqual(frames, 0)
        XCTAssertNotNil(error, "a header cut short must be an error")
    }

    /// Garbage written over the middle of the Motion JPEG data: the frames before it decode, then
    /// the damage is an error (not silently concealed).
    func testCorruptPacketsMidStreamAreAnError() throws {
        var bytes = try fixture("vtest-mjpeg.avi")
        let middle = bytes.count / 2
        for i in middle..<(middle + 2000) { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        let path = try write(bytes, "corrupt.avi")
        let (frames, error) = readUntilFailure(path)
        guard case .damagedVideo(_, let frame, _)? = error else { return XCTFail("\(frames) frames, \(String(describing: error))") }
        XCTAssertEqual(frame, frames)
        XCTAssertTrue((1..<10).contains(frames), "\(frames) frames before the damage")
    }

    /// An AVI whose headers claim 65535×65535 frames is refused from the header, before any
    /// frame memory (4 GiB a plane) exists.
    func testHugeFrameSizeInTheHeaderIsRefusedBeforeAllocating() throws {
        var bytes = try fixture("vtest-mjpeg.avi")
        func patch32(at offset: Int, _ value: UInt32) { for k in 0..<4 { bytes[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xff) } }
        func find(_ tag: String, from: Int = 0) -> Int? {
            let pattern = Array(tag.utf8)
            return (from..<(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
        }
        let avih = try XCTUnwrap(find("avih"))
        patch32(at: avih + 8 + 32, 65535)  // dwWidth
        patch32(at: avih + 8 + 36, 65535)  // dwHeight
        let strf = try XCTUnwrap(find("strf", from: avih))
        patch32(at: strf + 8 + 4, 65535)  // biWidth
        patch32(at: strf + 8 + 8, 65535)  // biHeight
        let path = try write(bytes, "huge.avi")
        XCTAssertEqual(readUntilFailure(path).error, .tooLarge(source: path, width: 65535, height: 65535, maxPixels: 100_000_000))
        // A tighter limit refuses the real size too.
        XCTAssertThrowsError(try VideoFileReader(path: FrameHashFixture.path("vtest.mp4"), options: .init(maxPixels: 160 * 120 - 1))) { error in
            XCTAssertEqual(
                error as? VideoError, .tooLarge(source: FrameHashFixture.path("vtest.mp4"), width: 160, height: 120, maxPixels: 160 * 120 - 1))
        }
    }

    /// Random bytes after a valid MP4 signature, and byte flips everywhere in each fixture: any
    /// outcome but a crash or a hang is acceptable; errors must be `VideoError`s.
    func testFlippedBytesNeverCrash() throws {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for name in ["vtest.mp4", "vtest-mjpeg.avi", "vtest-vfr.mkv"] {
            let original = try fixture(name)
            for trial in 0..<12 {
                var bytes = original
                for _ in 0..<(1 + trial * 3) { bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next()) }
                let path = try write(bytes, "flip-\(trial)-\(name)")
                let (frames, _) = readUntilFailure(path)
                XCTAssertLessThanOrEqual(frames, 100, "\(name) trial \(trial)")
            }
        }
    }
}
