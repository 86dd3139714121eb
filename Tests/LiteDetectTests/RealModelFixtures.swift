import Foundation
import LiteDetect
import LiteDetectNN
import XCTest

/// The committed fixtures of the real models' reference scripts (`Tools/reference/tensorflow/`,
/// `Tools/reference/caffe/`) and the sample photos they were made from, at 300×300, with each
/// original framework's input rule.
enum RealModelFixtures {
    /// The sample photos every real-model fixture set covers.
    static let stems = ["astronaut", "basketball", "chelsea", "dog", "eagle", "giraffe", "horses", "person", "rocket", "street"]

    /// The tensors of `Fixtures/<directory>/<name>.safetensors` (e.g. `coco-ssd`, `voc-ssd`, `tf-person`).
    static func tensors(_ directory: String, _ name: String) throws -> [String: NamedTensors.Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("\(directory)/\(name).safetensors")
        return try SafeTensors.read(contentsOf: url.path).tensors.tensors
    }

    /// The sample photo `stem` resized to 300×300 by the reference scripts (`Fixtures/photos300`).
    static func photo300(_ stem: String) throws -> RGBImage {
        let png = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("photos300/\(stem).png")
        return try ImageFile.load(png.path).image
    }

    /// TensorFlow Object Detection API graphs' input: float32(pixel) · float32(2/255) − 1, HWC RGB.
    static func tensorFlowInput(_ image: RGBImage) -> [Float] {
        image.pixels.map { Float($0) * Float(0.007843138) - 1 }
    }

    /// Caffe MobileNet-SSD's input as OpenCV's blob computes it: BGR, (pixel − 127.5) · 0.007843, HWC.
    static func caffeInput(_ image: RGBImage) -> [Float] {
        var input = [Float](repeating: 0, count: image.width * image.height * 3)
        for p in 0..<(image.width * image.height) {
            for c in 0..<3 { input[p * 3 + c] = (Float(image.pixels[p * 3 + 2 - c]) - 127.5) * Float(0.007843) }
        }
        return input
    }
}
