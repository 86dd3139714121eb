import LiteDetectKernels

/// When a network runs chains of convolutions (and max pools) band by band instead of layer by
/// layer.
///
/// The first layers of a MobileNet pass maps of several MB from one to the next (160×160×96
/// floats is 9.8 MB): written whole, such a map leaves the caches before the next layer reads
/// it, and those layers ran at less than half the speed they reach on data in cache. A banded chain
/// computes a few rows of its last layer at a time, and of every earlier layer just the rows
/// those need, into small per-thread buffers that stay in L2; only the chain's input and its
/// last output are whole maps. Every value is computed by the same kernels from the same inputs,
/// so the result equals the layer-by-layer one exactly. Rows at the seams between threads are
/// computed by both: the deeper the chain, the more such rows.
package struct Banding: Sendable, Equatable {
    /// A chain continues through a map at least this large (bytes): smaller maps stay in cache
    /// when run layer by layer, and a band's overhead would buy nothing.
    package var minimumMapBytes: Int
    /// The most bytes of band buffers one thread uses: the rows of every intermediate map that
    /// one band keeps. Bands are as tall as this allows (at least one row).
    package var bandBytes: Int

    package init(minimumMapBytes: Int, bandBytes: Int) {
        self.minimumMapBytes = minimumMapBytes
        self.bandBytes = bandBytes
    }

    /// This CPU's budgets (`CPUDescription`): chains through maps larger than its per-core L2,
    /// half of the L2 in band buffers per thread (1 MiB and 512 KiB on Zen 4, the values measured
    /// best there; docs/PERFORMANCE.md, "Bands").
    package static let automatic = Banding(
        minimumMapBytes: CPUDescription.current.bandMapBytes, bandBytes: CPUDescription.current.bandBytes)
    /// Every layer whole, one after another.
    package static let off = Banding(minimumMapBytes: .max, bandBytes: 0)

    /// The chains of `steps` to band: step ranges [i … j] of convolutions and max pools where
    /// each step's input is the previous step's output, and every map produced before the last
    /// step (an intermediate) is at least `minimumMapBytes`, not pinned, and read only inside the
    /// range.
    func chains(shapes: [FeatureMapShape], steps: [(operation: Operation, output: Value)], pinned: Set<Value>) -> [ClosedRange<Int>] {
        var lastReader = [Int](repeating: -1, count: shapes.count)
        for (index, step) in steps.enumerated() {
            for input in step.operation.inputs { lastReader[input.id] = index }
        }
        func bandableInput(_ index: Int) -> Value? { BandPlan.rowGeometry(steps[index].operation)?.input }
        var chains: [ClosedRange<Int>] = []
        var start = 0
        while start < steps.count {
            guard bandableInput(start) != nil else {
                start += 1
                continue
            }
            // Extend while the next step reads this one's output, a large map nothing else keeps.
            var end = start
            var latestRead = -1  // the last step reading any intermediate so far
            while end + 1 < steps.count, bandableInput(end + 1) == steps[end].output {
                let link = steps[end].output
                guard !pinned.contains(link), shapes[link.id].elementCount * 4 >= minimumMapBytes else { break }
                latestRead = max(latestRead, lastReader[link.id])
                end += 1
            }
            // Intermediates read after the chain's end cut it back to where they are all inside.
            while end > start, latestRead > end {
                end -= 1
                latestRead = (start..<end).map { lastReader[steps[$0].output.id] }.max() ?? -1
            }
            if end > start { chains.append(start...end) }
            start = end + 1
        }
        return chains
    }
}
