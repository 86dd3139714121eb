import LiteDetectImage
import XCTest

/// The preprocessor reproduces PyTorch's and TensorFlow's bilinear resizes, and whole
/// pipelines (letterbox, normalisation, BGR) built on them, within 1e-4
/// (fixtures: Tools/reference/image/make_resize_fixtures.py).
final class ResizeReferenceTests: XCTestCase {
    struct Manifest: Decodable {
        var tolerance: Float
        var cases: [Case]
    }

    struct Case: Decodable {
        var name: String
        var source: String
        var sourceWidth: Int
        var sourceHeight: Int
        var targetWidth: Int
        var targetHeight: Int
        var convention: String
        var mode: Mode
        var normalization: Normalization
        var channelOrder: String
        var expected: String
    }

    struct Mode: Decodable {
        var kind: String
        var fill: Fill?

        enum Fill: Decodable {
            case zero
            case pixel([Float])
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let values = try? container.decode([Float].self) { self = .pixel(values) } else { self = .zero }
            }
        }

        var resizeMode: ResizeMode {
            guard kind == "letterbox" else { return .stretch }
            switch fill {
            case .pixel(let values)?: return .letterbox(fill: .pixel(red: values[0], green: values[1], blue: values[2]))
            default: return .letterbox(fill: .zero)
            }
        }
    }

    struct Normalization: Decodable {
        var kind: String
        var scale: Float?
        var offset: Float?
        var mean: [Float]?
        var std: [Float]?

        var value: InputNormalization {
            kind == "meanStd" ? .meanStd(mean: mean!, std: std!) : .affine(scale: scale!, offset: offset!)
        }
    }

    func testEveryCaseMatchesTheFrameworkReference() throws {
        let manifest = try Fixtures.json("resize/cases.json", as: Manifest.self)
        XCTAssertLessThanOrEqual(manifest.tolerance, 1e-4)
        XCTAssertGreaterThanOrEqual(manifest.cases.count, 24)
        for testCase in manifest.cases {
            let pixels = try Fixtures.bytes("resize/" + testCase.source)
            let image = try XCTUnwrap(RGBImage(width: testCase.sourceWidth, height: testCase.sourceHeight, pixels: pixels))
            let options = PreprocessOptions(
                targetWidth: testCase.targetWidth, targetHeight: testCase.targetHeight,
                convention: try XCTUnwrap(ResizeConvention(rawValue: testCase.convention)),
                mode: testCase.mode.resizeMode, normalization: testCase.normalization.value,
                channelOrder: try XCTUnwrap(ChannelOrder(rawValue: testCase.channelOrder)))
            let plan = try Preprocessor(sourceWidth: image.width, sourceHeight: image.height, options: options)
            let expected = try Fixtures.floats("resize/" + testCase.expected)
            // Poison the buffer so that a value the plan forgets to write cannot pass by luck.
            var actual = [Float](repeating: .nan, count: plan.outputCount)
            try actual.withUnsafeMutableBufferPointer { try plan.run(image, into: $0) }
            XCTAssertEqual(actual.count, expected.count, testCase.name)
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? .nan
            XCTAssertLessThanOrEqual(worst, manifest.tolerance, "\(testCase.name): max |difference| \(worst)")
        }
    }
}
