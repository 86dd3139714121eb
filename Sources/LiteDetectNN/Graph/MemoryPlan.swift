import LiteDetectKernels

/// Where every value of a network lives inside one arena, decided once at load.
///
/// Values whose lifetimes do not overlap share storage (best-fit reuse of freed slots); the
/// input and the named outputs are kept for the whole run so callers can write and read them.
///
/// A concat part that nothing else reads is not given storage of its own: its producer writes it
/// straight into its channels of the concat's output (a view with the concat's pixel stride), and
/// the concat has nothing left to copy for it. SqueezeNet's Fire modules and ShuffleNet's units
/// each end in such a concat.
struct MemoryPlan: Sendable {
    /// Offset in floats of each value's first element inside the arena.
    let offsets: [Int]
    /// Floats between consecutive pixels of each value: its channel count, or the concat's for a
    /// part written in place.
    let pixelStrides: [Int]
    /// Whether each value is a concat part written in place (the concat skips it).
    let writtenInPlace: [Bool]
    /// Whether each value is a channel slice that is a view into its input (nothing to run).
    let isView: [Bool]
    /// Arena size in floats.
    let arenaSize: Int

    /// Alignment of every slot, in floats (64 bytes: one AVX-512 vector / cache line).
    static let alignment = 16

    /// - Parameter bandedChains: step ranges that run band by band (`Banding`): their
    ///   intermediate maps live in per-thread band buffers instead of the arena, and every other
    ///   map they read or write keeps its storage until the chain's last step (the steps run
    ///   interleaved).
    init(
        shapes: [FeatureMapShape], steps: [(operation: Operation, output: Value)], pinned: Set<Value>,
        bandedChains: [ClosedRange<Int>] = []
    ) {
        var lastUse = [Int](repeating: -1, count: shapes.count)
        var uses = [Int](repeating: 0, count: shapes.count)
        for (index, step) in steps.enumerated() {
            for input in step.operation.inputs {
                lastUse[input.id] = index
                uses[input.id] += 1
            }
        }
        var banded = Set<Int>()
        for chain in bandedChains {
            for index in chain {
                for value in steps[index].operation.inputs + [steps[index].output] {
                    lastUse[value.id] = max(lastUse[value.id], chain.upperBound)
                }
            }
            for index in chain.dropLast() { banded.insert(steps[index].output.id) }
        }
        let inPlace = Self.inPlaceConcatParts(shapes: shapes, steps: steps, pinned: pinned, uses: uses)
        // Slices that become views: value id -> (the value whose storage they sit in, channel offset).
        var views: [Int: (root: Value, channelOffset: Int)] = [:]
        for step in steps {
            guard case let .channelSlice(input, offset, _) = step.operation,
                inPlace[step.output.id] == nil, !pinned.contains(step.output)
            else { continue }
            let root = views[input.id] ?? (input, 0)
            views[step.output.id] = (root.root, root.channelOffset + offset)
            // The storage must outlive every reader of the view.
            lastUse[root.root.id] = max(lastUse[root.root.id], lastUse[step.output.id])
        }

        var slotSizes: [Int] = []
        var slotOf = [Int](repeating: -1, count: shapes.count)
        var free: [Int] = []

        func allocate(_ value: Value) {
            guard slotOf[value.id] < 0 else { return }  // a concat opened early by its first part
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
            // A part written in place needs its concat's storage from now on (opened before this
            // step's inputs are freed, so it never overlaps them); a view needs none.
            if views[step.output.id] == nil && !banded.contains(step.output.id) {
                allocate(inPlace[step.output.id]?.concat ?? step.output)
            }
            // Values without storage of their own (parts in place, views) free nothing.
            for input in Set(step.operation.inputs) where lastUse[input.id] == index && !pinned.contains(input) && slotOf[input.id] >= 0 {
                free.append(slotOf[input.id])
            }
            if lastUse[step.output.id] < 0 && !pinned.contains(step.output) && slotOf[step.output.id] >= 0 && inPlace[step.output.id] == nil {
                free.append(slotOf[step.output.id])
            }
        }

        var slotOffsets: [Int] = []
        var total = 0
        for size in slotSizes {
            slotOffsets.append(total)
            total += size
        }
        var offsets = slotOf.map { $0 >= 0 ? slotOffsets[$0] : 0 }
        var pixelStrides = shapes.map(\.channels)
        for (part, place) in inPlace {
            offsets[part] = offsets[place.concat.id] + place.channelOffset
            pixelStrides[part] = shapes[place.concat.id].channels
        }
        for (view, place) in views {
            offsets[view] = offsets[place.root.id] + place.channelOffset
            pixelStrides[view] = pixelStrides[place.root.id]
        }
        self.offsets = offsets
        self.pixelStrides = pixelStrides
        writtenInPlace = (0..<shapes.count).map { inPlace[$0] != nil }
        isView = (0..<shapes.count).map { views[$0] != nil }
        arenaSize = max(total, Self.alignment)
    }

    /// Concat parts that can be written straight into the concat's output: produced by a step,
    /// read by nothing but this one concat (once), not pinned (callers read those as they are),
    /// and not concats themselves (a part's own parts would need a second level of views).
    private static func inPlaceConcatParts(
        shapes: [FeatureMapShape], steps: [(operation: Operation, output: Value)], pinned: Set<Value>, uses: [Int]
    ) -> [Int: (concat: Value, channelOffset: Int)] {
        var produced = Set<Int>()
        var concatOutputs = Set<Int>()
        for step in steps {
            produced.insert(step.output.id)
            if case .concat = step.operation { concatOutputs.insert(step.output.id) }
        }
        var result: [Int: (concat: Value, channelOffset: Int)] = [:]
        for step in steps {
            guard case let .concat(parts) = step.operation else { continue }
            var channelOffset = 0
            for part in parts {
                if produced.contains(part.id) && uses[part.id] == 1 && !pinned.contains(part) && !concatOutputs.contains(part.id) {
                    result[part.id] = (step.output, channelOffset)
                }
                channelOffset += shapes[part.id].channels
            }
        }
        return result
    }
}
