import LiteDetectKernels
import XCTest

/// `FastBoxOverlap` in every instruction-set variant this CPU runs, against its plain twin below
/// (torchvision's CPU `nms` IoU, scalar, in the same float operation order) over boxes on a
/// coarse grid, so that touching edges, identical, zero-width and inverted boxes and IoUs exactly
/// at the threshold all occur. (The NMS built on it is checked against torchvision and
/// TensorFlow fixtures in LiteDetectPostprocessTests.)
final class BoxOverlapTests: XCTestCase {
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "BoxOverlapTests") }

    private struct Corners { var x1, y1, x2, y2: Float }

    /// torchvision `nms_kernel_impl`'s IoU: std::max / std::min as `(a < b) ? b : a`.
    private static func plainIoU(_ a: Corners, _ b: Corners) -> Float {
        let areaA = (a.x2 - a.x1) * (a.y2 - a.y1)
        let areaB = (b.x2 - b.x1) * (b.y2 - b.y1)
        let left = b.x1 < a.x1 ? a.x1 : b.x1
        let top = b.y1 < a.y1 ? a.y1 : b.y1
        let right = a.x2 < b.x2 ? a.x2 : b.x2
        let bottom = a.y2 < b.y2 ? a.y2 : b.y2
        let width = right - left < 0 ? 0 : right - left
        let height = bottom - top < 0 ? 0 : bottom - top
        let intersection = width * height
        return intersection / (areaA + areaB - intersection)
    }

    func testFirstOverlapMatchesThePlainLoop() {
        var random = SeededRandom(seed: 2024)
        // Multiples of 1/16 (and a few ragged values): many exact ties and shared edges.
        func coordinate() -> Float {
            random.next() % 5 == 0 ? random.signedUnit() : Float(Int(random.next() % 20) - 2) / 16
        }
        func corners() -> Corners {
            let x1 = coordinate(), y1 = coordinate()
            switch random.next() % 8 {
            case 0: return Corners(x1: x1, y1: y1, x2: x1, y2: y1 + 0.25)  // zero width
            case 1: return Corners(x1: x1, y1: y1, x2: x1 - 0.125, y2: y1 + 0.25)  // inverted
            default: return Corners(x1: x1, y1: y1, x2: x1 + Float(random.next() % 8 + 1) / 16, y2: y1 + Float(random.next() % 8 + 1) / 16)
            }
        }
        let thresholds: [Float] = [Float(0).nextUp, 0.25, 0.3, 1.0 / 3, 0.45, 0.5, Float(0.5).nextUp, 0.6, 1]
        var checked = 0
        var found = 0
        for isa in instructionSets {
            for count in [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100] {
                for _ in 0..<40 {
                    let boxes = (0..<count).map { _ in corners() }
                    let x1 = boxes.map(\.x1), y1 = boxes.map(\.y1), x2 = boxes.map(\.x2), y2 = boxes.map(\.y2)
                    let area = boxes.map { ($0.x2 - $0.x1) * ($0.y2 - $0.y1) }
                    let box = random.next() % 4 == 0 && count > 0 ? boxes[Int(random.next() % UInt64(count))] : corners()
                    for minimum in thresholds {
                        let expected = boxes.firstIndex { Self.plainIoU(box, $0) >= minimum } ?? count
                        let got = FastBoxOverlap.firstOverlap(
                            x1: x1, y1: y1, x2: x2, y2: y2, area: area, count: count,
                            boxX1: box.x1, boxY1: box.y1, boxX2: box.x2, boxY2: box.y2, minimumIoU: minimum,
                            instructionSet: isa)
                        XCTAssertEqual(got, expected, "\(isa): \(count) boxes, IoU ≥ \(minimum)")
                        checked += 1
                        if expected < count { found += 1 }
                    }
                }
            }
        }
        // The sweep is only worth something if both answers occur often.
        XCTAssertGreaterThan(found, checked / 10)
        XCTAssertLessThan(found, checked * 9 / 10)
    }
}
