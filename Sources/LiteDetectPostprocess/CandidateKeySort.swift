/// Sorts one group's `CandidateKey`s into selection order without comparisons: a stable
/// least-significant-digit radix sort on the 32 score bits, 8 bits per pass.
///
/// Keys are gathered in ascending anchor order, and a stable sort on the score alone keeps that
/// order among equal scores, so the result is sorted by the whole key. A pass whose digit is the
/// same in every key (common: the scores above a threshold share their exponent) moves nothing
/// and is skipped. This replaces popping a heap once per candidate, whose data-dependent branches
/// mispredict on every level.
package enum CandidateKeySort {
    static let digitBits = 8
    static let bucketCount = 1 << digitBits
    static let passCount = 32 / digitBits
    /// Histogram storage `sort` needs, in `Int`s.
    package static let histogramSize = passCount * bucketCount
    /// Below this many keys an insertion sort on the whole key is cheaper than the histograms.
    static let insertionSortLimit = 48

    /// Sorts `keys` (gathered in ascending anchor order) ascending.
    ///
    /// - Parameters:
    ///   - scratch: at least `keys.count` elements, overwritten.
    ///   - histograms: `histogramSize` elements, overwritten.
    /// - Returns: the sorted keys, which lie in `keys` or in the front of `scratch`.
    package static func sort(
        _ keys: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>,
        histograms: UnsafeMutableBufferPointer<Int>
    ) -> UnsafeMutableBufferPointer<UInt64> {
        let count = keys.count
        precondition(scratch.count >= count && histograms.count >= histogramSize, "sort buffers too small")
        if count <= insertionSortLimit {
            insertionSort(keys)
            return keys
        }
        histograms.update(repeating: 0)
        for key in keys {
            for pass in 0..<passCount {
                histograms[pass * bucketCount + digit(of: key, pass: pass)] += 1
            }
        }
        var source = keys
        var destination = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
        for pass in 0..<passCount {
            let histogram = UnsafeMutableBufferPointer(rebasing: histograms[(pass * bucketCount)..<((pass + 1) * bucketCount)])
            if histogram[digit(of: source[0], pass: pass)] == count { continue }
            // Exclusive prefix sums: each bucket's first output position.
            var position = 0
            for bucket in 0..<bucketCount {
                let size = histogram[bucket]
                histogram[bucket] = position
                position += size
            }
            for key in source {
                let bucket = digit(of: key, pass: pass)
                destination[histogram[bucket]] = key
                histogram[bucket] += 1
            }
            swap(&source, &destination)
        }
        return source
    }

    @inline(__always)
    private static func digit(of key: UInt64, pass: Int) -> Int {
        Int(truncatingIfNeeded: (key >> UInt64(32 + digitBits * pass)) & UInt64(bucketCount - 1))
    }

    private static func insertionSort(_ keys: UnsafeMutableBufferPointer<UInt64>) {
        for index in keys.indices.dropFirst() {
            let key = keys[index]
            var hole = index
            while hole > 0 && keys[hole - 1] > key {
                keys[hole] = keys[hole - 1]
                hole -= 1
            }
            keys[hole] = key
        }
    }
}
