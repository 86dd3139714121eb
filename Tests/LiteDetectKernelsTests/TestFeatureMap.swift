import LiteDetectKernels
import XCTest

/// A feature map for comparing a fast operation with its reference twin: contiguous, or (when
/// `strided`) a channel slice of a wider map, the way concat and split views reach the kernels.
/// The slots outside the view hold `filler`: NaN in an input shows a read outside the view, a
/// sentinel in an output a write outside it.
final class TestFeatureMap {
    /// Floats a strided view leaves before its channels and after them, per pixel.
    static let sliceOffset = 3, sliceTail = 2
    static let outputSentinel: Float = 12345

    let view: FeatureMapView
    private let storage: UnsafeMutableBufferPointer<Float>

    /// `values` (contiguous, `shape.elementCount` of them) placed in the view, `filler` around them.
    init(shape: FeatureMapShape, strided: Bool, filler: Float, values: [Float]? = nil) {
        let offset = strided ? Self.sliceOffset : 0
        let stride = strided ? Self.sliceOffset + shape.channels + Self.sliceTail : shape.channels
        storage = .allocate(capacity: max(shape.pixelCount * stride, 1))
        storage.initialize(repeating: filler)
        view = FeatureMapView(base: storage.baseAddress! + offset, shape: shape, pixelStride: stride)
        if let values {
            precondition(values.count == shape.elementCount)
            for pixel in 0..<shape.pixelCount {
                for c in 0..<shape.channels { view.base[pixel * stride + c] = values[pixel * shape.channels + c] }
            }
        }
    }

    /// An output: the sentinel everywhere until an operation writes its channels.
    convenience init(output shape: FeatureMapShape, strided: Bool) {
        self.init(shape: shape, strided: strided, filler: Self.outputSentinel)
    }

    deinit { storage.deallocate() }

    /// Every float of the storage, the slots outside the view included.
    var allFloats: [Float] { Array(storage) }

    /// Fails unless `fast` holds exactly (bit for bit: signed zeros, NaN payloads) what
    /// `reference` holds, in the view and around it.
    static func assertIdentical(
        _ fast: TestFeatureMap, _ reference: TestFeatureMap, _ label: @autoclosure () -> String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let got = fast.allFloats, expected = reference.allFloats
        precondition(got.count == expected.count && fast.view.pixelStride == reference.view.pixelStride)
        let mismatches = zip(got, expected).filter { $0.bitPattern != $1.bitPattern }.count
        guard mismatches > 0, let first = zip(got, expected).enumerated().first(where: { $1.0.bitPattern != $1.1.bitPattern }) else { return }
        let stride = fast.view.pixelStride, width = max(fast.view.width, 1)
        let pixel = first.offset / stride, slot = first.offset % stride
        let offset = fast.view.base - fast.storage.baseAddress!
        let place = slot >= offset && slot < offset + fast.view.channels ? "channel \(slot - offset)" : "outside the view (slot \(slot))"
        XCTFail(
            "\(label()): \(mismatches) floats differ; first at pixel (\(pixel / width), \(pixel % width)) \(place): got \(first.element.0), reference \(first.element.1)",
            file: file, line: line)
    }
}
