/// Packed weights on a 64-byte boundary (one cache line, one AVX-512 vector): the kernels'
/// weight loads start at multiples of 64 bytes from the base, so none straddles two cache lines.
/// Holds floats, or bfloat16 values (as `UInt16`) for the bfloat16 kernels: the memory is bound
/// to the one element type it was created with.
///
/// Filled once right after creation (by the packing functions), then only read, which is what
/// makes sharing it across threads safe.
final class FastAlignedBuffer: @unchecked Sendable {
    static let alignment = 64
    private let raw: UnsafeMutableRawPointer
    private let elementType: Any.Type
    let count: Int

    /// `count` float zeros.
    convenience init(count: Int) { self.init(count: count, zero: Float(0)) }

    /// `count` bfloat16 zeros.
    convenience init(bfloat16Count count: Int) { self.init(count: count, zero: UInt16(0)) }

    private init<Element>(count: Int, zero: Element) {
        raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Element>.stride, alignment: Self.alignment)
        raw.initializeMemory(as: Element.self, repeating: zero, count: max(count, 1))
        elementType = Element.self
        self.count = count
    }

    /// The floats of a buffer created with `init(count:)`.
    var base: UnsafeMutablePointer<Float> {
        precondition(elementType == Float.self, "a bfloat16 buffer read as floats")
        return raw.assumingMemoryBound(to: Float.self)
    }

    /// The bfloat16 values of a buffer created with `init(bfloat16Count:)`.
    var bfloat16Base: UnsafeMutablePointer<UInt16> {
        precondition(elementType == UInt16.self, "a float buffer read as bfloat16")
        return raw.assumingMemoryBound(to: UInt16.self)
    }

    deinit { raw.deallocate() }
}
