import LiteDetectKernels

/// Where every value of a network lives inside one arena, decided once at load.
///
/// Values whose lifetimes do not overlap share storage (best-fit reuse of freed slots); the
/// input and the named outputs are kept for the whole run so callers can write and read them.
struct MemoryPlan: Sendable {
    /// Offset in floats of each value inside the arena.
    let offsets: [Int]
    /// Arena size in floats.
    let arenaSize: Int

    /// Alignment of every slot, in floats (64 bytes: one AVX-512 vector / cache line).
    static let alignment = 16

    init(shapes: [FeatureMapShape], steps: [(operation: Operation, output: Value)], pinned: Set<Value>) {
        var lastUse = [Int](repeating: -1, count: shapes.count)
        for (index, step) in steps.enumerated() {
            for input in step.operation.inputs { lastUse[input.id] = index }
        }
        var slotSizes: [Int] = []
        var slotOf = [Int](repeating: -1, count: shapes.count)
        var free: [Int] = []

        func allocate(_ value: Value) {
            let size = (shapes[value.id].elementCount + Self.alignment - 1) / Self.alignment * Self.alignment
            // Best fit among free slots; otherwise grow the largest free slot or open a new one.
            let fitting = free.filter { slotSizes[$0] >= size }.min { slotSizes[$0] < slotSizes[$1] }
            let slot: Int
            if let fitting {
                slot = fitting
            } else if let largest = free.max(by: { slotSizes[$0] < slotSizes[$1] }) {
                slot = largest
                slotSizes[slot] = size
            } else {
                slot = slotSizes.count
                slotSizes.append(size)
            }
            free.removeAll { $0 == slot }
            slotOf[value.id] = slot
        }

        for value in pinned.sorted(by: { $0.id < $1.id }) where value.id < shapes.count && steps.allSatisfy({ $0.output != value }) {
            allocate(value)  // the input: it has no producing step
        }
        for (index, step) in steps.enumerated() {
            allocate(step.output)
            for input in Set(step.operation.inputs) where lastUse[input.id] == index && !pinned.contains(input) {
                free.append(slotOf[input.id])
            }
            if lastUse[step.output.id] < 0 && !pinned.contains(step.output) { free.append(slotOf[step.output.id]) }
        }

        var slotOffsets: [Int] = []
        var total = 0
        for size in slotSizes {
            slotOffsets.append(total)
            total += size
        }
        offsets = slotOf.map { $0 >= 0 ? slotOffsets[$0] : 0 }
        arenaSize = max(total, Self.alignment)
    }
}
