/// Floats on a 64-byte boundary (one cache line, one AVX-512 vector) for packed weights: the
/// kernels' weight loads start at multiples of 16 floats from the base, so none straddles two
/// cache lines.
///
/// Filled once right after creation (by the packing functions), then only read, which is what
/// makes sharing it across threads safe.
final class FastAlignedBuffer: @unchecked Sendable {
    static let alignment = 64
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// `count` zeros.
    init(count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: Self.alignment)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        self.count = count
    }

    deinit { base.deallocate() }
}
