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
}
