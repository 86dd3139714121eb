import Foundation
import LiteDetect
import LiteDetectImage
import LiteDetectSupport
import XCTest

/// One clip of `Fixtures/` and what the `ffmpeg` program decoded from it
/// (`Tools/reference/video/make_container_fixtures.sh`): per frame, its presentation time and
/// the SHA-256 of its planes packed one after another.
struct FrameHashFixture {
    struct Frame: Equatable {
        var timestamp: Duration
        var size: Int
        var sha256: String
    }

    let clip: String
    let frames: [Frame]

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Parses `<clip>.framehash` (or `<clip>.<variant>.framehash`).
    init(clip: String, variant: String? = nil) throws {
        self.clip = Self.path(clip)
        let name = variant.map { "\(clip).\($0).framehash" } ?? "\(clip).framehash"
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        var timeBase: VideoRatio?
        var frames: [Frame] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#tb 0: ") {
                let parts = line.dropFirst(7).split(separator: "/").compactMap { Int($0) }
                timeBase = VideoRatio(numerator: parts[0], denominator: parts[1])
            }
            guard !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let base = try XCTUnwrap(timeBase, "\(name): no #tb line before the frames")
            frames.append(
                Frame(timestamp: base.duration(ofTicks: try XCTUnwrap(Int64(fields[2]))), size: try XCTUnwrap(Int(fields[4])), sha256: fields[5]))
        }
        self.frames = frames
    }

    /// The SHA-256 of `frame`'s planes, rows packed, in plane order (what `framehash` hashes).
    static func sha256(of frame: PixelFrame) -> (size: Int, hex: String) {
        var packed = Data(count: frame.format.contiguousByteCount(width: frame.width, height: frame.height))
        packed.withUnsafeMutableBytes { frame.copyPacked(into: $0) }
        return (packed.count, SHA256.hex(of: packed))
    }
}
