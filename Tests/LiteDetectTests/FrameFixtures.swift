import Foundation
import LiteDetect
import LiteDetectModels
import XCTest

/// The committed OpenCV conversion fixtures (`Tools/reference/video/make_frame_fixtures.py`)
/// and helpers that lay the same pixels out in every `PixelFormat`.
enum FrameFixtures {
    struct Conversions: Decodable {
        var width: Int
        var height: Int
        var files: [String: String]
    }

    static var folder: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("frames")
    }

    static func conversions() throws -> Conversions {
        try JSONDecoder().decode(Conversions.self, from: Data(contentsOf: folder.appendingPathComponent("conversions.json")))
    }

    /// The raw bytes of the fixture file with key `key` in `conversions.json`.
    static func bytes(_ key: String) throws -> [UInt8] {
        let name = try XCTUnwrap(try conversions().files[key], "no fixture \(key)")
        return [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// A small SSDLite (MobileNetV3-small at 64×64 input) with seeded random weights: the whole
    /// pipeline in well under a millisecond per frame, for tests that run thousands of frames.
    static func tinyDetector() throws -> Detector {
        var config = try ModelCatalog.bundled.config(named: "ssdlite320-mobilenetv3-small")
        config.input.width = 64
        config.input.height = 64
        return try Detector(config: config, weights: .random(seed: 7))
    }

    /// Options that keep many (noise) detections from random weights, so results have content to compare.
    static let manyDetections = DetectionOptions(scoreThreshold: 0.01, maxDetections: 50)

    /// `image`'s pixels in `format` (RGB/BGR orders, alpha 255, gray from the red channel), rows
    /// `padding` bytes longer than needed and filled with 0xAB so that a reader using the wrong
    /// stride would see them.
    static func packed(_ image: RGBImage, as format: PixelFormat, padding: Int) -> (bytes: [UInt8], bytesPerRow: Int) {
        let bytesPerPixel = format.bytesPerPixel!
        let rowBytes = image.width * bytesPerPixel + padding
        var bytes = [UInt8](repeating: 0xAB, count: rowBytes * image.height)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let c = image[x, y]
                let pixel: [UInt8]
                switch format {
                case .rgb8: pixel = [c.red, c.green, c.blue]
                case .bgr8: pixel = [c.blue, c.green, c.red]
                case .rgba8: pixel = [c.red, c.green, c.blue, 255]
                case .bgra8: pixel = [c.blue, c.green, c.red, 255]
                case .gray8: pixel = [c.red]
                default: preconditionFailure("\(format) is not packed")
                }
                for (k, value) in pixel.enumerated() { bytes[y * rowBytes + x * bytesPerPixel + k] = value }
            }
        }
        return (bytes, rowBytes)
    }

    /// Random packed RGB, reproducible from `seed`.
    static func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(width: width, height: height, pixels: pixels)!
    }
}
