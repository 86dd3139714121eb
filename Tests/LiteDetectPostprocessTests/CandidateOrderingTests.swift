import LiteDetectPostprocess
import XCTest

/// `CandidateKey` and `CandidateKeySort` against the order NMS must visit candidates in (higher
/// score first, equal scores by lower anchor), as Swift's own float comparison and sort give it.
final class CandidateOrderingTests: XCTestCase {
    private let specialScores: [Float] = [
        -.infinity, -1, -.leastNonzeroMagnitude, -0.0, 0, .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-8, 0.01,
        0.0100001, 0.5, Float(1).nextDown, 1, 2, .greatestFiniteMagnitude, .infinity,
    ]

    func testKeysOrderAsScoresThenAnchorsAndRoundTrip() {
        let anchors: [Int32] = [0, 1, 7, 65_535, 1 << 20, .max]
        let pairs = specialScores.flatMap { score in anchors.map { (score: score, anchor: $0) } }
        for a in pairs {
            let key = CandidateKey.make(score: a.score, anchor: a.anchor)
            XCTAssertEqual(CandidateKey.score(of: key), a.score, "score \(a.score)")
            XCTAssertEqual(CandidateKey.score(of: key).sign, a.score == 0 ? .plus : a.score.sign, "-0 is stored as +0")
            XCTAssertEqual(CandidateKey.anchor(of: key), a.anchor)
            for b in pairs {
                let precedes = a.score > b.score || (a.score == b.score && a.anchor < b.anchor)
                XCTAssertEqual(
                    key < CandidateKey.make(score: b.score, anchor: b.anchor), precedes, "(\(a.score), \(a.anchor)) vs (\(b.score), \(b.anchor))")
            }
        }
    }

    func testRadixSortMatchesTheStandardSort() {
        var generator = SplitMix64(seed: 15)
        // Sizes around the insertion-sort cut-off; score sets with many ties, with one shared exponent
        // (digit passes skipped), and spanning every exponent.
        let scoreSets: [(String, () -> Float)] = [
            ("ties", { [0.25, 0.5, 0.75][Int(generator.next() % 3)] }),
            ("one exponent", { 0.5 + Float(generator.next() % 1000) / 4096 }),
            ("any bits", { Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()) & 0x7F7F_FFFF) }),
            ("signed", { self.specialScores[Int(generator.next() % UInt64(self.specialScores.count))] }),
        ]
        for (name, score) in scoreSets {
            for count in [0, 1, 2, 47, 48, 49, 300, 3234] {
                // Gathered in ascending anchor order, as the postprocessor files them.
                var keys = (0..<count).map { CandidateKey.make(score: score(), anchor: Int32($0)) }
                let expected = keys.sorted()
                var scratch = [UInt64](repeating: 0, count: count)
                var histograms = [Int](repeating: 0, count: CandidateKeySort.histogramSize)
                let sorted = keys.withUnsafeMutableBufferPointer { keys in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        histograms.withUnsafeMutableBufferPointer { histograms in
                            Array(CandidateKeySort.sort(keys, scratch: scratch, histograms: histograms))
                        }
                    }
                }
                XCTAssertEqual(sorted, expected, "\(name), \(count) keys")
            }
        }
    }
}
