import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// The Swift code of the DocC articles (`Sources/LiteDetect/LiteDetect.docc`), run as written: each
/// ```` ```swift ```` block of an article must appear in this file, line for line (indentation
/// aside), inside a test that runs it on a real photo with the bundled COCO model, so an article
/// cannot drift from the API or show code that does not work.
final class DocumentationArticleTests: XCTestCase {
    private static let articles = repositoryRoot.appendingPathComponent("Sources/LiteDetect/LiteDetect.docc")
    private static let photoPath = repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path

    func testEveryArticleBlockRunsHere() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let ownLines = Self.normalisedLines(source)
        var blocks = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.articles.path) where name.hasSuffix(".md") {
            let article = try String(contentsOf: Self.articles.appendingPathComponent(name), encoding: .utf8)
            for block in Self.swiftBlocks(article) {
                blocks += 1
                let lines = Self.normalisedLines(block)
                let found = (0...max(0, ownLines.count - lines.count)).contains { Array(ownLines[$0..<$0 + lines.count]) == lines }
                XCTAssertTrue(found, "\(name): this block is not run by DocumentationArticleTests:\n\(block)")
            }
        }
        XCTAssertGreaterThanOrEqual(blocks, 7, "the articles' Swift blocks were found")
    }

    func testGettingStarted() throws {
        let photoPath = Self.photoPath
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputPath = folder.appendingPathComponent("annotated.jpg").path
        let configPath = repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-large-coco.json").path
        let missingPath = folder.appendingPathComponent("missing.jpg").path

        let detector = try Detector(model: "ssd300-mobilenetv2-coco")  // load once; immutable, Sendable
        let session = detector.makeSession()  // one per thread: owns every buffer a frame needs
        let image = try ImageFile.load(photoPath).image
        let result = try session.detect(image, options: DetectionOptions(scoreThreshold: 0.5))
        for detection in result.detections {
            print(detection.label, detection.score, detection.box)  // box in the photo's pixels
        }
        XCTAssertTrue(result.detections.contains { $0.label == "person" }, "street.jpg shows people")

        let people = try detector.classIDs(forLabels: ["person"])
        let options = DetectionOptions(scoreThreshold: 0.3, maxDetections: 20, classIDs: people)
        let onlyPeople = try session.detect(image, options: options)
        XCTAssertFalse(onlyPeople.detections.isEmpty)
        XCTAssertTrue(onlyPeople.detections.allSatisfy { $0.label == "person" && $0.score > 0.3 })
        XCTAssertLessThanOrEqual(onlyPeople.detections.count, 20)

        var annotated = image
        annotated.drawDetections(onlyPeople.detections)
        try ImageFile.save(annotated, to: outputPath, as: .jpeg(quality: 90))
        let saved = try ImageFile.load(outputPath).image
        XCTAssertEqual([saved.width, saved.height], [image.width, image.height])
        XCTAssertNotEqual(annotated, image, "boxes were drawn")

        let ownModel = try Detector(configFile: configPath)
        XCTAssertFalse(ownModel.isRandomlyInitialised)

        if KernelPrecision.bfloat16.unsupportedReason == nil {
            let fast = try Detector(model: "ssd300-mobilenetv2-coco", precision: .bfloat16)
            _ = try fast.makeSession().detect(image)
        }

        do {
            _ = try ImageFile.load(missingPath)
        } catch {
            print(error.localizedDescription)  // the file and the reason
        }
        XCTAssertThrowsError(try ImageFile.load(missingPath)) { error in
            XCTAssertTrue(error.localizedDescription.contains(missingPath), error.localizedDescription)
        }
    }

    func testFrameLoop() async throws {
        let detector = try Detector(model: "ssd300-mobilenetv2-coco")
        let image = try ImageFile.load(Self.photoPath).image
        let camera = try NV12Buffer(image)
        let cameraFrames = [camera, camera, camera]

        let session = detector.makeSession()
        var tracker = MultiObjectTracker()
        var result = DetectionResult()  // reused for every frame
        for (index, buffer) in cameraFrames.enumerated() {  // e.g. NV12 buffers from your capture API
            let frame = try PixelFrame(  // a view of your memory: no copy
                format: .nv12, width: buffer.width, height: buffer.height,
                planes: PixelPlane(bytes: buffer.luma, bytesPerRow: buffer.lumaStride),
                PixelPlane(bytes: buffer.chroma, bytesPerRow: buffer.chromaStride))
            try session.detect(frame, options: DetectionOptions(scoreThreshold: 0.5), metadata: FrameMetadata(index: index), into: &result)
            let tracks = tracker.update(with: result.detections)  // stable ids across frames
            for track in tracks {
                print(index, track.id, track.label, track.box)
            }
        }
        XCTAssertTrue(result.detections.contains { $0.label == "person" }, "the last frame shows people")
        XCTAssertEqual(result.frame?.index, 2)
        XCTAssertEqual(tracker.frameCount, 3)
        XCTAssertGreaterThan(tracker.liveTrackCount, 0)

        let frames = AsyncStream<RGBImage> { continuation in
            for _ in 0..<3 { continuation.yield(image) }
            continuation.finish()
        }
        var found = 0
        for try await frameResult in detector.detections(in: frames, buffering: .dropOldest(limit: 1)) {
            found += frameResult.detections.count
        }
        XCTAssertGreaterThan(found, 0)
    }

    /// A camera's NV12 buffer made from a photo (`RGBImage.writeI420`, then U and V interleaved).
    private final class NV12Buffer: @unchecked Sendable {
        let width: Int, height: Int
        let lumaStride: Int, chromaStride: Int
        private let storage: UnsafeMutableRawBufferPointer

        init(_ image: RGBImage) throws {
            precondition(image.width % 2 == 0 && image.height % 2 == 0, "4:2:0 needs even sides")
            width = image.width
            height = image.height
            var i420 = [UInt8](repeating: 0, count: PixelFormat.i420.contiguousByteCount(width: width, height: height))
            try i420.withUnsafeMutableBytes { try image.writeI420(into: $0) }
            lumaStride = width
            chromaStride = width
            storage = .allocate(byteCount: width * height * 3 / 2, alignment: 64)
            let chromaCount = width / 2 * height / 2
            for i in 0..<width * height { storage[i] = i420[i] }
            for i in 0..<chromaCount {
                storage[width * height + 2 * i] = i420[width * height + i]
                storage[width * height + 2 * i + 1] = i420[width * height + chromaCount + i]
            }
        }

        deinit { storage.deallocate() }

        var luma: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<width * height]) }
        var chroma: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[(width * height)..<storage.count]) }
    }

    private static func swiftBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    private static func normalisedLines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
