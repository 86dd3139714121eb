/// The boxes selected so far by one NMS run, stored column by column (x1, y1, x2, y2, area) in
/// chunks of 8 so a candidate is tested against 8 selections per SIMD step.
///
/// The arithmetic per lane is exactly `Box.intersectionOverUnion(with:)`'s, so decisions are
/// bit-identical to the scalar reference; only the number of instructions changes.
struct SelectedBoxColumns {
    static let laneCount = 8
    typealias Lanes = SIMD8<Float>

    /// Floats of storage needed for `capacity` boxes.
    static func storageSize(capacity: Int) -> Int {
        5 * paddedCapacity(capacity)
    }

    /// Whole chunks, at least one (so the storage always has an address).
    private static func paddedCapacity(_ capacity: Int) -> Int {
        (max(capacity, 1) + laneCount - 1) / laneCount * laneCount
    }

    private let x1: UnsafeMutablePointer<Float>
    private let y1: UnsafeMutablePointer<Float>
    private let x2: UnsafeMutablePointer<Float>
    private let y2: UnsafeMutablePointer<Float>
    private let area: UnsafeMutablePointer<Float>
    private let capacity: Int
    private(set) var count = 0

    /// Lays the columns over `storage` (at least `storageSize(capacity:)` floats), starting empty.
    init(storage: UnsafeMutableBufferPointer<Float>, capacity: Int) {
        let padded = Self.paddedCapacity(capacity)
        precondition(storage.count >= 5 * padded, "selected-box storage too small")
        let base = storage.baseAddress!
        x1 = base
        y1 = base + padded
        x2 = base + 2 * padded
        y2 = base + 3 * padded
        area = base + 4 * padded
        self.capacity = padded
    }

    /// Appends a box. Opening a new chunk zeroes its other lanes: an all-zero box overlaps
    /// nothing, so stale lanes from an earlier run can never suppress.
    mutating func append(_ box: Box) {
        precondition(count < capacity, "more selections than capacity")
        if count % Self.laneCount == 0 {
            for lane in count..<(count + Self.laneCount) {
                x1[lane] = 0
                y1[lane] = 0
                x2[lane] = 0
                y2[lane] = 0
                area[lane] = 0
            }
        }
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
    /// so that the ±0 / NaN lanes of non-overlapping pairs never count).
    func anyOverlap(with box: Box, atLeast minimumIoU: Float) -> Bool {
        let boxArea = Lanes(repeating: box.area)
        let boxX1 = Lanes(repeating: box.x1)
        let boxY1 = Lanes(repeating: box.y1)
        let boxX2 = Lanes(repeating: box.x2)
        let boxY2 = Lanes(repeating: box.y2)
        let zero = Lanes(repeating: 0)
        let minimum = Lanes(repeating: minimumIoU)
        var start = 0
        while start < count {
            let overlapWidth = Self.larger(Self.smaller(load(x2, start), boxX2) - Self.larger(load(x1, start), boxX1), zero)
            let overlapHeight = Self.larger(Self.smaller(load(y2, start), boxY2) - Self.larger(load(y1, start), boxY1), zero)
            let intersection = overlapWidth * overlapHeight
            let iou = intersection / (boxArea + load(area, start) - intersection)
            if any(iou .>= minimum) { return true }
            start += Self.laneCount
        }
        return false
    }

    /// Lane-wise `(a < b) ? b : a` (std::max), as a vector select: the generic `pointwiseMax`
    /// does not vectorise.
    @inline(__always)
    private static func larger(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: a .< b) }

    /// Lane-wise `(b < a) ? b : a` (std::min).
    @inline(__always)
    private static func smaller(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }

    @inline(__always)
    private func load(_ column: UnsafeMutablePointer<Float>, _ start: Int) -> Lanes {
        UnsafeRawPointer(column + start).loadUnaligned(as: Lanes.self)
    }
}
