import LiteDetectKernels

/// The boxes selected so far by one NMS run, stored column by column (x1, y1, x2, y2, area) so
/// that a candidate is tested against 16 (AVX-512), 8 (AVX2) or 4 selections per vector step.
///
/// The arithmetic per lane is exactly `Box.intersectionOverUnion(with:)`'s, so decisions are
/// bit-identical to the scalar reference; only the number of instructions changes.
struct SelectedBoxColumns {
    /// Floats of storage needed for `capacity` boxes (at least one, so the storage has an address).
    static func storageSize(capacity: Int) -> Int {
        5 * max(capacity, 1)
    }

    private let x1: UnsafeMutablePointer<Float>
    private let y1: UnsafeMutablePointer<Float>
    private let x2: UnsafeMutablePointer<Float>
    private let y2: UnsafeMutablePointer<Float>
    private let area: UnsafeMutablePointer<Float>
    private let capacity: Int
    /// Read once per run, not per candidate: the kernel is called for every candidate.
    private let instructionSet = KernelInstructionSet.selected
    private(set) var count = 0

    /// Lays the columns over `storage` (at least `storageSize(capacity:)` floats), whose first
    /// `count` boxes (default: none) were appended earlier through columns on the same storage.
    init(storage: UnsafeMutableBufferPointer<Float>, capacity: Int, count: Int = 0) {
        let column = max(capacity, 1)
        precondition(storage.count >= 5 * column, "selected-box storage too small")
        let base = storage.baseAddress!
        x1 = base
        y1 = base + column
        x2 = base + 2 * column
        y2 = base + 3 * column
        area = base + 4 * column
        self.capacity = capacity
        self.count = count
    }

    mutating func append(_ box: Box) {
        precondition(count < capacity, "more selections than capacity")
        x1[count] = box.x1
        y1[count] = box.y1
        x2[count] = box.x2
        y2[count] = box.y2
        area[count] = box.area
        count += 1
    }

    func box(at index: Int) -> Box {
        Box(x1: x1[index], y1: y1[index], x2: x2[index], y2: y2[index])
    }

    /// Whether any selected box has IoU with `box` of at least `minimumIoU` (which must be > 0,
    /// so that the ±0 / NaN results of non-overlapping pairs never count): `FastBoxOverlap`'s
    /// kernel, in `Box.intersectionOverUnion`'s float operation order, only the selections' lanes read.
    func anyOverlap(with box: Box, atLeast minimumIoU: Float) -> Bool {
        FastBoxOverlap.firstOverlap(
            x1: x1, y1: y1, x2: x2, y2: y2, area: area, count: count,
            boxX1: box.x1, boxY1: box.y1, boxX2: box.x2, boxY2: box.y2, minimumIoU: minimumIoU,
            instructionSet: instructionSet) < count
    }
}
