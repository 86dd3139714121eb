import LiteDetectKernels

/// The per-thread working memory of a `Network`: one arena and the band buffers of its banded
/// chains (`Banding`), allocated at creation together with the chains' programs, reused by every
/// `run()`. Not thread-safe; create one per thread.
package final class NetworkSession {
    package let network: Network
    private let arena: UnsafeMutablePointer<Float>
    /// Worker threads the large convolutions are split across (`nil`: the calling thread only).
    private let threadPool: KernelThreadPool?
    /// Per thread, the working memory of the kernels that need some (Winograd, bfloat16).
    private let workspace: KernelWorkspace
    /// Per thread, the band buffers of the banded chains (`Banding`; the chains run one at a
    /// time and share them).
    private let bandScratch: UnsafeMutablePointer<Float>
    /// Each banded chain's program, by the index of the chain's first step.
    private let chainPrograms: [Int: (program: KernelProgram, end: Int)]
    /// Per-instruction times of a profiled chain (as many as the longest program has).
    private var instructionSeconds: [Double]

    /// - Parameter threads: threads a forward pass may use, the calling thread included. More than
    ///   1 only helps when that many cores are free; each session owns its own threads.
    package init(network: Network, threads: Int = 1) {
        self.network = network
        threadPool = threads > 1 ? KernelThreadPool(threadCount: threads) : nil
        let raw = UnsafeMutableRawPointer.allocate(byteCount: network.plan.arenaSize * 4, alignment: 64)
        arena = raw.initializeMemory(as: Float.self, repeating: 0, count: network.plan.arenaSize)

        let threadCount = threadPool?.threadCount ?? 1
        let convolutions = network.steps.compactMap { step -> FastConvolution? in
            if case let .convolution(layer, _, _) = step.operation { return layer.fastConvolution }
            return nil
        }
        workspace = KernelWorkspace(for: convolutions, threadCount: threadCount)
        let steps = network.stepList
        let plans = network.bandedChains.map { chain in
            BandPlan(
                chain: chain, steps: steps, shapes: network.shapes, threadCount: threadCount,
                bandBytes: network.banding.bandBytes)
        }
        let floatsPerThread = plans.map { $0.bytesPerThread(network.shapes) / 4 }.max() ?? 0
        let scratchCount = max(16, floatsPerThread * threadCount)
        bandScratch = UnsafeMutableRawPointer.allocate(byteCount: scratchCount * 4, alignment: 64)
            .initializeMemory(as: Float.self, repeating: 0, count: scratchCount)
        let arena = arena
        var programs: [Int: (program: KernelProgram, end: Int)] = [:]
        for (chain, plan) in zip(network.bandedChains, plans) {
            let program = plan.program(
                steps: steps, shapes: network.shapes,
                fullView: { value in
                    FeatureMapView(
                        base: arena + network.plan.offsets[value.id], shape: network.shapes[value.id],
                        pixelStride: network.plan.pixelStrides[value.id])
                }, scratch: bandScratch, scratchFloatsPerThread: floatsPerThread)
            programs[chain.lowerBound] = (program, chain.upperBound)
        }
        chainPrograms = programs
        instructionSeconds = [Double](repeating: 0, count: programs.values.map(\.program.instructionCount).max() ?? 0)
    }

    deinit {
        arena.deallocate()
        bandScratch.deallocate()
    }

    /// Threads a forward pass uses (1 when the pool could not be started).
    package var threadCount: Int { threadPool?.threadCount ?? 1 }

    /// Where the caller writes the input (channels-last) before `run()`.
    package var input: FeatureMapView { view(network.input) }

    /// The named output of the last `run()`; valid until the next one.
    package func output(_ name: String) throws -> FeatureMapView {
        guard let value = network.outputs[name] else { throw GraphError.unknownOutput(name: name) }
        return view(value)
    }

    package func view(_ value: Value) -> FeatureMapView {
        FeatureMapView(
            base: arena + network.plan.offsets[value.id], shape: network.shapes[value.id], pixelStride: network.plan.pixelStrides[value.id])
    }

    /// One forward pass over the current input. Allocates nothing.
    package func run() {
        var index = 0
        while index < network.steps.count {
            if let chain = chainPrograms[index] {
                chain.program.run(threads: threadPool, workspace: workspace)
                index = chain.end + 1
            } else {
                execute(network.steps[index])
                index += 1
            }
        }
    }

    /// A forward pass that also records each operation's wall-clock time in seconds, in the
    /// order of `network.operationNames` (`seconds` is resized once, then reused).
    package func runProfiled(seconds: inout [Double]) {
        if seconds.count != network.steps.count { seconds = [Double](repeating: 0, count: network.steps.count) }
        let clock = ContinuousClock()
        var index = 0
        while index < network.steps.count {
            if let chain = chainPrograms[index] {
                // A banded layer runs as many small calls, on every thread at once: its time is
                // the sum of its calls' times over all threads, divided by the threads.
                for step in index...chain.end { seconds[step] = 0 }
                instructionSeconds.withUnsafeMutableBufferPointer { times in
                    chain.program.run(threads: threadPool, workspace: workspace, seconds: times)
                    for (instruction, step) in chain.program.tags.enumerated() {
                        seconds[step] += times[instruction] / Double(chain.program.listCount)
                    }
                }
                index = chain.end + 1
                continue
            }
            let start = clock.now
            execute(network.steps[index])
            let elapsed = clock.now - start
            seconds[index] = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            index += 1
        }
    }

    @inline(__always)
    private func execute(_ step: Network.Step) {
        do {
            let out = view(step.output)
            switch step.operation {
            case let .convolution(layer, input, residual):
                layer.run(input: view(input), output: out, residual: residual.map(view), threads: threadPool, workspace: workspace)
            case let .maxPool(geometry, input):
                FastPooling.max(geometry, input: view(input), output: out)
            case let .averagePool(geometry, countIncludePadding, input):
                FastPooling.average(geometry, countIncludePadding: countIncludePadding, input: view(input), output: out)
            case let .globalAveragePool(input):
                FastPooling.globalAverage(input: view(input), output: out.base)
            case let .add(a, b, activation):
                FastChannelOps.add(view(a), view(b), activation: activation, output: out)
            case let .activation(input, activation):
                FastChannelOps.activation(view(input), activation, output: out)
            case let .concat(parts):
                var offset = 0
                for part in parts {
                    let channels = network.shapes[part.id].channels
                    // Parts written in place are already there (MemoryPlan).
                    if !network.plan.writtenInPlace[part.id] {
                        FastChannelOps.copy(view(part), to: out.channels(offset, count: channels))
                    }
                    offset += channels
                }
            case .channelSlice where network.plan.isView[step.output.id]:
                break  // a view into its input (MemoryPlan): nothing to copy
            case let .channelSlice(input, offset, count):
                FastChannelOps.copy(view(input).channels(offset, count: count), to: out)
            case let .channelShuffle(input, groups):
                FastChannelOps.shuffle(view(input), groups: groups, output: out)
            case let .scaleChannels(input, scales):
                FastChannelOps.scaleChannels(view(input), scales: view(scales).base, output: out)
            }
        }
    }
}
