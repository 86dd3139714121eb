/// A candidate (score, anchor) packed into one integer whose ascending order is the selection
/// order of `ScoredCandidate.precedes`: higher score first, equal scores by lower anchor.
///
/// The upper 32 bits hold the score's bits remapped so that unsigned order is descending score
/// order; the lower 32 bits hold the anchor. Sorting these plain integers (`CandidateKeySort`)
/// replaces comparing (score, anchor) pairs. `-0` is stored as `+0`, since the two compare equal;
/// NaN scores must not be packed (the score threshold keeps them out).
package enum CandidateKey {
    @inline(__always)
    package static func make(score: Float, anchor: Int32) -> UInt64 {
        let bits = (score + 0).bitPattern  // -0 + 0 == +0
        // Ascending unsigned order of `ascending` is ascending float order; inverted, descending.
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ascending) << 32 | UInt64(UInt32(bitPattern: anchor))
    }

    @inline(__always)
    package static func score(of key: UInt64) -> Float {
        let ascending = ~UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ascending & 0x8000_0000 != 0 ? ascending & 0x7FFF_FFFF : ~ascending)
    }

    @inline(__always)
    package static func anchor(of key: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: key))
    }

    /// The key's top 16 bits (the score's sign, exponent and 7 mantissa bits, ~0.8 % steps): a
    /// score level, lower buckets holding higher scores.
    @inline(__always)
    package static func bucket(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: key >> 48)
    }

    /// The highest non-negative score whose key lies in bucket `bucket` or a later one (a lower
    /// score): scores above it lie in earlier buckets. `-infinity` when no non-negative score
    /// lies that low, `+infinity` when every score does.
    package static func highestScore(fromBucket bucket: Int) -> Float {
        // For scores ≥ +0 the bucket is 0x7FFF − (bits >> 16), so bucket ≥ b ⇔ bits < (0x8000 − b) << 16.
        guard bucket < 0x8000 else { return -.infinity }
        // +∞ is in bucket 0x7F (NaN in lower ones, never filed).
        guard bucket > 0x7F else { return .infinity }
        return Float(bitPattern: UInt32(0x8000 - bucket) << 16 - 1)
    }
}
