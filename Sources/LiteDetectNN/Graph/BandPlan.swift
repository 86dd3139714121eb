import LiteDetectKernels

/// How one banded chain (`Banding`) runs on a given number of threads: which rows of which layer
/// each thread computes, band after band, and where the rows of every intermediate map live.
///
/// The chain's last map is split into one contiguous range of rows per thread. A thread walks its
/// range `bandRows` rows at a time; for each band it works out, from the last layer back to the
/// first, the rows of every intermediate map the band reads (a window reaches
/// `kernel − 1` rows beyond its stride), then computes from the first layer on the rows it does
/// not hold yet. Each intermediate map keeps a window of rows in the thread's own buffer, which
/// is `slack` times as tall as the window ever gets: new rows go after the ones held, and only
/// when they would run past the end are the rows still needed moved to the start. A thread's
/// first band computes the rows above its range too, so no thread reads what another writes.
struct BandPlan {
    /// One step of a thread's work.
    enum Instruction {
        /// Output rows `rows` of chain step `step` (a convolution or max pool); `bufferOrigins[value id]`: the row at the start
        /// of each intermediate's buffer at that moment.
        case compute(step: Int, rows: Range<Int>, bufferOrigins: [Int: Int])
        /// Drop the first `dropped` rows of intermediate `value`'s buffer, keeping `kept` rows.
        case shift(value: Int, dropped: Int, kept: Int, step: Int)
    }

    /// Buffer rows per row a band holds at most (docs/PERFORMANCE.md, "Bands": 2 was faster
    /// than 1 and 3 on MobileNetV1/V2/V3-Large).
    static let slack = 2

    /// Per thread, in order.
    let threads: [[Instruction]]
    /// Rows each intermediate's buffer must hold (value id → rows).
    let capacities: [Int: Int]

    /// Plans `chain` of `steps` for `threadCount` threads with bands as tall as fit in
    /// `bandBytes` of buffers per thread.
    init(
        chain: ClosedRange<Int>, steps: [(operation: Operation, output: Value)], shapes: [FeatureMapShape],
        threadCount: Int, bandBytes: Int
    ) {
        let lastHeight = shapes[steps[chain.upperBound].output.id].height
        let regions = max(1, min(threadCount, lastHeight))
        // The tallest band that fits (buffers grow with the band): binary search over 1 … a region.
        func plan(_ bandRows: Int) -> BandPlan {
            // Buffers `slack` times the rows a band holds: the rows kept for the next band move
            // to the start once every few bands instead of every band.
            let eager = BandPlan(chain: chain, steps: steps, shapes: shapes, regions: regions, bandRows: bandRows)
            return BandPlan(
                chain: chain, steps: steps, shapes: shapes, regions: regions, bandRows: bandRows,
                capacities: eager.capacities.mapValues { $0 * Self.slack })
        }
        var best = plan(1)
        var low = 2, high = (lastHeight + regions - 1) / regions
        while low <= high {
            let middle = (low + high) / 2
            let plan = plan(middle)
            if plan.bytesPerThread(shapes) <= bandBytes {
                best = plan
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        self = best
    }

    /// Where each intermediate's buffer starts in a thread's share of the scratch (floats).
    func bufferOffsets(_ shapes: [FeatureMapShape]) -> [Int: Int] {
        var offsets: [Int: Int] = [:]
        var next = 0
        for (value, rows) in capacities.sorted(by: { $0.key < $1.key }) {
            offsets[value] = next
            next += Self.bufferFloats(rows: rows, shape: shapes[value])
        }
        return offsets
    }

    /// The plan as a program: `fullView` gives the whole maps (the chain's inputs and its last
    /// output), thread t's buffers start at `scratch + t · scratchFloatsPerThread`.
    func program(
        steps: [(operation: Operation, output: Value)], shapes: [FeatureMapShape], fullView: (Value) -> FeatureMapView,
        scratch: UnsafeMutablePointer<Float>, scratchFloatsPerThread: Int
    ) -> KernelProgram {
        let offsets = bufferOffsets(shapes)
        let program = KernelProgram()
        for (thread, instructions) in threads.enumerated() {
            let buffers = scratch + thread * scratchFloatsPerThread
            /// Rows `rows` of `value`: from its buffer (which holds rows from `bufferOrigin` on) or its whole map.
            func band(_ value: Value, _ rows: Range<Int>, bufferOrigins: [Int: Int]) -> FeatureMapView {
                let shape = shapes[value.id]
                let bandShape = FeatureMapShape(height: rows.count, width: shape.width, channels: shape.channels)
                if let offset = offsets[value.id], let bufferOrigin = bufferOrigins[value.id] {
                    let base = buffers + offset + (rows.lowerBound - bufferOrigin) * shape.width * shape.channels
                    return FeatureMapView(base: base, shape: bandShape)
                }
                let whole = fullView(value)
                return FeatureMapView(
                    base: whole.base + rows.lowerBound * shape.width * whole.pixelStride, shape: bandShape,
                    pixelStride: whole.pixelStride)
            }
            for instruction in instructions {
                switch instruction {
                case let .compute(step, rows, bufferOrigins):
                    guard let geometry = Self.rowGeometry(steps[step].operation) else {
                        preconditionFailure("only convolutions and max pools are banded")
                    }
                    let inputRows = geometry.inputRows(for: rows)
                    let input = band(geometry.input, inputRows, bufferOrigins: bufferOrigins)
                    let output = band(steps[step].output, rows, bufferOrigins: bufferOrigins)
                    // The band's own top padding: what of the layer's lies above its first input row.
                    let padTop = geometry.padTop + inputRows.lowerBound - rows.lowerBound * geometry.stride
                    switch steps[step].operation {
                    case let .convolution(layer, _, residual):
                        program.appendConvolution(
                            layer.fastConvolution, input: input, output: output,
                            residual: residual.map { band($0, rows, bufferOrigins: bufferOrigins) }, padTop: padTop, tag: step)
                    case let .maxPool(pool, _):
                        program.appendMaxPool(pool, input: input, output: output, padTop: padTop, tag: step)
                    default:
                        preconditionFailure("only convolutions and max pools are banded")
                    }
                case let .shift(value, dropped, kept, step):
                    let rowFloats = shapes[value].width * shapes[value].channels
                    let buffer = buffers + offsets[value]!
                    program.appendMove(from: buffer + dropped * rowFloats, to: buffer, count: kept * rowFloats, tag: step)
                }
            }
            program.endList()
        }
        return program
    }

    /// Bytes of band buffers one thread needs.
    func bytesPerThread(_ shapes: [FeatureMapShape]) -> Int {
        capacities.reduce(0) { $0 + Self.bufferFloats(rows: $1.value, shape: shapes[$1.key]) * 4 }
    }

    /// Floats of a buffer holding `rows` rows of `shape`, rounded up to whole cache lines.
    static func bufferFloats(rows: Int, shape: FeatureMapShape) -> Int {
        (rows * shape.width * shape.channels + 15) / 16 * 16
    }

    /// Plans bands of `bandRows` rows. With `capacities` (rows per intermediate buffer), a buffer
    /// is shifted only when the next rows would not fit; without, whenever rows can be dropped.
    private init(
        chain: ClosedRange<Int>, steps: [(operation: Operation, output: Value)], shapes: [FeatureMapShape],
        regions: Int, bandRows: Int, capacities limits: [Int: Int]? = nil
    ) {
        var producer: [Int: Int] = [:]  // intermediate value id → the chain step producing it
        for index in chain.dropLast() { producer[steps[index].output.id] = index }
        let last = chain.upperBound
        let lastHeight = shapes[steps[last].output.id].height
        var capacities: [Int: Int] = [:]
        var threads: [[Instruction]] = []

        for region in 0..<regions {
            let regionRows = region * lastHeight / regions..<(region + 1) * lastHeight / regions
            var instructions: [Instruction] = []
            var held: [Int: Range<Int>] = [:]  // intermediate value id → rows its buffer holds
            var origins: [Int: Int] = [:]  // intermediate value id → the row at the buffer's start
            for bandStart in stride(from: regionRows.lowerBound, to: regionRows.upperBound, by: bandRows) {
                // Rows each step must have in its output for this band, from the last step back.
                var needed: [Int: Range<Int>] = [last: bandStart..<min(regionRows.upperBound, bandStart + bandRows)]
                for index in chain.reversed() {
                    guard let rows = needed[index], !rows.isEmpty, let step = Self.rowGeometry(steps[index].operation)
                    else { continue }
                    if let source = producer[step.input.id] {
                        needed[source] = Self.hull(needed[source], step.inputRows(for: rows))
                    }
                    if let residual = step.residual, let source = producer[residual.id] {
                        needed[source] = Self.hull(needed[source], rows)
                    }
                }
                // Then compute, from the first step on, what each buffer does not hold yet.
                for index in chain {
                    guard let rows = needed[index], !rows.isEmpty else { continue }
                    if index == last {
                        instructions.append(.compute(step: index, rows: rows, bufferOrigins: origins))
                        continue
                    }
                    let value = steps[index].output.id
                    var window = held[value] ?? rows.lowerBound..<rows.lowerBound
                    precondition(window.lowerBound <= rows.lowerBound, "a band needs rows its buffer has dropped")
                    if window.upperBound <= rows.lowerBound {
                        // Nothing held is needed again: start the buffer afresh.
                        window = rows.lowerBound..<rows.lowerBound
                        origins[value] = rows.lowerBound
                    }
                    window = rows.lowerBound..<window.upperBound  // rows above are not needed again
                    let origin = origins[value]!
                    let overflows = limits.map { rows.upperBound - origin > $0[value]! } ?? true
                    if origin < window.lowerBound && overflows {
                        if !window.isEmpty {
                            instructions.append(
                                .shift(
                                    value: value, dropped: window.lowerBound - origin,
                                    kept: window.count, step: index))
                        }
                        origins[value] = window.lowerBound
                    }
                    if rows.upperBound > window.upperBound {
                        instructions.append(
                            .compute(
                                step: index, rows: window.upperBound..<rows.upperBound,
                                bufferOrigins: origins))
                        window = window.lowerBound..<rows.upperBound
                    }
                    held[value] = window
                    capacities[value] = max(capacities[value] ?? 0, window.upperBound - origins[value]!)
                }
            }
            threads.append(instructions)
        }
        self.threads = threads
        self.capacities = capacities
    }

    /// What banding needs to know of a step: the map it reads by rows and how.
    struct RowGeometry {
        let input: Value
        let residual: Value?
        let inputHeight, kernelHeight, stride, padTop: Int

        /// Input rows that output rows `rows` read (clipped to the input).
        func inputRows(for rows: Range<Int>) -> Range<Int> {
            let first = max(0, rows.lowerBound * stride - padTop)
            let end = min(inputHeight, (rows.upperBound - 1) * stride - padTop + kernelHeight)
            return first..<max(first, end)
        }
    }

    /// The row geometry of a step that can run band by band: a convolution or a max pool (an
    /// average pool's divisor depends on where the image ends, so it stays whole).
    static func rowGeometry(_ operation: Operation) -> RowGeometry? {
        switch operation {
        case let .convolution(layer, input, residual):
            let g = layer.geometry
            return RowGeometry(
                input: input, residual: residual, inputHeight: g.input.height, kernelHeight: g.kernelHeight,
                stride: g.stride, padTop: g.padding.top)
        case let .maxPool(pool, input):
            return RowGeometry(
                input: input, residual: nil, inputHeight: pool.input.height, kernelHeight: pool.kernel,
                stride: pool.stride, padTop: pool.padding.top)
        default:
            return nil
        }
    }

    private static func hull(_ a: Range<Int>?, _ b: Range<Int>) -> Range<Int> {
        guard let a, !a.isEmpty else { return b }
        guard !b.isEmpty else { return a }
        return min(a.lowerBound, b.lowerBound)..<max(a.upperBound, b.upperBound)
    }
}
