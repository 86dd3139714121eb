import Foundation
import LiteDetectKernels
import XCTest

/// `FastVectorMath` in every instruction-set variant this CPU runs, against double-precision
/// `exp` (the C library's, an independent reference): a strided sweep over every float input
/// that matters, and softmax rows of awkward widths. ISAs this CPU lacks are named as skipped.
final class VectorMathTests: XCTestCase {
    private var instructionSets: [KernelInstructionSet] { testedInstructionSets(by: "VectorMathTests") }

    /// One unit in the last place of a float near `exact` (2^-149 in the subnormal range).
    private func floatULP(of exact: Double) -> Double {
        guard exact != 0 else { return 0x1p-149 }
        return Foundation.pow(2.0, Double(max(Int(exact.exponent), -126) - 23))
    }

    func testExpWithinItsBoundOfDoublePrecisionOverEveryInputThatMatters() {
        // Every 97th float from -104 through 89: ~23 M inputs, each sign, every binade.
        var inputs: [Float] = []
        for (first, last) in [(Float(0).bitPattern, Float(89).bitPattern), ((-Float(0)).bitPattern, Float(-104).bitPattern)] {
            inputs.append(contentsOf: stride(from: first, through: last, by: 97).map { Float(bitPattern: $0) })
            inputs.append(Float(bitPattern: last))
        }
        var outputs = [Float](repeating: 0, count: inputs.count)
        for isa in instructionSets {
            inputs.withUnsafeBufferPointer { input in
                outputs.withUnsafeMutableBufferPointer { FastVectorMath.exp(input, into: $0, instructionSet: isa) }
            }
            var worst = 0.0
            var worstInput: Float = 0
            for (x, y) in zip(inputs, outputs) {
                let exact = Foundation.exp(Double(x))
                // Above the largest float (x > 88.7228) the result overflows.
                if exact > Double(Float.greatestFiniteMagnitude) {
                    XCTAssertTrue(y == .infinity || y == .greatestFiniteMagnitude, "\(isa): exp(\(x)) = \(y)")
                    continue
                }
                let error = abs(Double(y) - exact) / floatULP(of: exact)
                if error > worst { (worst, worstInput) = (error, x) }
            }
            print("VectorMathTests: exp on \(isa): largest error \(worst) ulp (at \(worstInput)) over \(inputs.count) inputs")
            XCTAssertLessThanOrEqual(worst, Double(FastVectorMath.expMaximumULP), "\(isa) at x = \(worstInput)")
        }
    }

    func testExpAtTheEdges() {
        let inputs: [Float] = [-.infinity, -1000, -104.5, -103.9, 0, -0.0, 1, 88.72, 89.5, 1000, .infinity, .nan]
        var outputs = [Float](repeating: 0, count: inputs.count)
        for isa in instructionSets {
            inputs.withUnsafeBufferPointer { input in
                outputs.withUnsafeMutableBufferPointer { FastVectorMath.exp(input, into: $0, instructionSet: isa) }
            }
            XCTAssertEqual(Array(outputs[0..<3]), [0, 0, 0], "\(isa)")
            XCTAssertEqual(outputs[3], Float(Foundation.exp(-103.9)), "\(isa): the smallest subnormals")
            XCTAssertEqual(outputs[4], 1, "\(isa)")
            XCTAssertEqual(outputs[5], 1, "\(isa)")
            XCTAssertEqual(outputs[6], Float(M_E), "\(isa)")
            let nearLargest = Foundation.exp(Double(Float(88.72)))
            XCTAssertEqual(Double(outputs[7]), nearLargest, accuracy: 2 * floatULP(of: nearLargest), "\(isa)")
            XCTAssertEqual(Array(outputs[8..<11]), [.infinity, .infinity, .infinity], "\(isa)")
            XCTAssertTrue(outputs[11].isNaN, "\(isa)")
        }
    }

    func testSoftmaxRowsMatchDoublePrecision() {
        var random = SeededRandom(seed: 15)
        for isa in instructionSets {
            var worst = 0.0
            for columns in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 21, 31, 32, 33, 81, 91, 100] {
                for spread: Float in [0.5, 10, 60] {
                    let rows = 7
                    let inputStride = columns + 3
                    let outputStride = columns + 2
                    let input = random.values(rows * inputStride).map { $0 * spread }
                    let sentinel: Float = -12345
                    var output = [Float](repeating: sentinel, count: rows * outputStride)
                    input.withUnsafeBufferPointer { x in
                        output.withUnsafeMutableBufferPointer { y in
                            FastVectorMath.softmaxRows(
                                x.baseAddress!, rows: rows, columns: columns, inputRowStride: inputStride,
                                into: y.baseAddress!, outputRowStride: outputStride, instructionSet: isa)
                        }
                    }
                    for row in 0..<rows {
                        let x = input[(row * inputStride)..<(row * inputStride + columns)].map(Double.init)
                        let largest = x.max()!
                        let exponentials = x.map { Foundation.exp($0 - largest) }
                        let sum = exponentials.reduce(0, +)
                        for column in 0..<columns {
                            let exact = exponentials[column] / sum
                            let got = Double(output[row * outputStride + column])
                            // Bound: x - max rounds in float (relative |x - max| · 2^-24 in e^(x - max)),
                            // exp (≤ 1.25 ulp), the lane sums (≤ one rounding per term and per
                            // reduction step), the reciprocal and the product (one rounding each).
                            let ulps = abs(x[column] - largest) + 1.25 + Double(columns) / 4 + 1.25 + 4 + 2
                            let error = abs(got - exact) / floatULP(of: exact)
                            worst = max(worst, error / ulps)
                            XCTAssertLessThanOrEqual(error, ulps, "\(isa) columns \(columns) spread \(spread) row \(row) column \(column)")
                        }
                        for column in columns..<outputStride {
                            XCTAssertEqual(output[row * outputStride + column], sentinel, "\(isa) wrote past the row")
                        }
                    }
                }
            }
            print("VectorMathTests: softmax on \(isa): largest error \(worst) of its bound")
        }
    }

    func testSoftmaxInPlace() {
        var random = SeededRandom(seed: 91)
        for isa in instructionSets {
            let input = random.values(3 * 91).map { $0 * 8 }
            var separate = [Float](repeating: 0, count: input.count)
            var inPlace = input
            input.withUnsafeBufferPointer { x in
                separate.withUnsafeMutableBufferPointer { y in
                    FastVectorMath.softmaxRows(
                        x.baseAddress!, rows: 3, columns: 91, inputRowStride: 91,
                        into: y.baseAddress!, outputRowStride: 91, instructionSet: isa)
                }
            }
            inPlace.withUnsafeMutableBufferPointer { y in
                FastVectorMath.softmaxRows(
                    y.baseAddress!, rows: 3, columns: 91, inputRowStride: 91,
                    into: y.baseAddress!, outputRowStride: 91, instructionSet: isa)
            }
            XCTAssertEqual(separate, inPlace, "\(isa)")
        }
    }

    /// The masks softmax writes beside its outputs against the plain comparison of those outputs.
    func testSoftmaxMasksMarkTheOutputsAboveTheThreshold() {
        var random = SeededRandom(seed: 64)
        for isa in instructionSets {
            for columns in [1, 3, 4, 15, 16, 17, 63, 64, 65, 90, 91, 130] {
                let rows = 5
                let stride = columns + 1
                // Coarse logits, so outputs repeat and equal the threshold; a NaN row and a row with +∞.
                var logits = (0..<(rows * stride)).map { _ in Float(Int(random.next() % 9) - 4) / 2 }
                logits[stride] = .nan
                logits[2 * stride + columns - 1] = .infinity
                let words = FastVectorMath.maskWords(columns: columns)
                var unmasked = [Float](repeating: 0, count: rows * stride)
                logits.withUnsafeBufferPointer { x in
                    unmasked.withUnsafeMutableBufferPointer { y in
                        FastVectorMath.softmaxRows(
                            x.baseAddress!, rows: rows, columns: columns, inputRowStride: stride, into: y.baseAddress!,
                            outputRowStride: stride, instructionSet: isa)
                    }
                }
                let reached = unmasked[3 * stride + columns / 2]
                for threshold: Float in [reached, reached.nextDown, 0, -0.0, -1, 1, .infinity, -.infinity, .nan, 1 / Float(columns)] {
                    var masks = [UInt64](repeating: .max, count: rows * words)
                    var scores = [Float](repeating: 0, count: rows * stride)
                    logits.withUnsafeBufferPointer { x in
                        scores.withUnsafeMutableBufferPointer { y in
                            masks.withUnsafeMutableBufferPointer { m in
                                FastVectorMath.softmaxRows(
                                    x.baseAddress!, rows: rows, columns: columns, inputRowStride: stride, into: y.baseAddress!,
                                    outputRowStride: stride, masksAbove: threshold, masks: m.baseAddress!, instructionSet: isa)
                            }
                        }
                    }
                    XCTAssertEqual(scores.map(\.bitPattern), unmasked.map(\.bitPattern), "\(isa): masks change no output")
                    for row in 0..<rows {
                        for column in 0..<(words * 64) {
                            let bit = masks[row * words + column / 64] >> UInt64(column % 64) & 1 == 1
                            let expected = column < columns && scores[row * stride + column] > threshold
                            XCTAssertEqual(bit, expected, "\(isa): \(columns) columns, > \(threshold), row \(row) column \(column)")
                        }
                    }
                }
            }
        }
    }
}
