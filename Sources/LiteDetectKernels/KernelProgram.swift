internal import CLiteDetectKernels

/// A fixed list of convolutions and max pools on bands of feature maps, and moves of rows within
/// buffers, split into lists that run in parallel, one per thread. Built once (it holds the pointers it
/// was given: the memory must outlive it and stay put); `run` then allocates nothing.
///
/// The lists must be independent: no list may write what another reads or writes.
package final class KernelProgram: @unchecked Sendable {
    private var instructions: [ldk_program_instruction] = []
    private var starts: [Int] = [0]
    /// The caller's tag for each instruction (e.g. the network step it computes), for profiles.
    package private(set) var tags: [Int] = []
    /// Bytes of `KernelWorkspace` per thread its convolutions need.
    package private(set) var workspaceBytesPerThread = 0

    package init() {}

    /// Lists ended so far.
    package var listCount: Int { starts.count - 1 }
    package var instructionCount: Int { instructions.count }

    /// Ends the current list: what is appended next starts a new one. An empty list is not kept.
    /// Call it after the last instruction too: `run` runs ended lists only.
    package func endList() {
        if instructions.count > starts.last! { starts.append(instructions.count) }
    }

    /// Appends `convolution` from `input` to `output` (bands of its maps, with `padTop` rows of
    /// zeros above `input`; see `FastConvolution.cConvolution`).
    package func appendConvolution(
        _ convolution: FastConvolution, input: FeatureMapView, output: FeatureMapView, residual: FeatureMapView?,
        padTop: Int, tag: Int
    ) {
        let call = convolution.cConvolution(input: input, output: output, residual: residual, padTop: padTop)
        workspaceBytesPerThread = max(workspaceBytesPerThread, convolution.workspaceBytesPerThread)
        instructions.append(
            ldk_program_instruction(
                kind: LDK_INSTRUCTION_CONVOLUTION, kernel: convolution.cKernel, convolution: call, pooling: ldk_pooling(),
                destination: nil, source: nil, count: 0))
        tags.append(tag)
    }

    /// Appends a max pool of `geometry` from `input` to `output` (bands of its maps, with
    /// `padTop` rows of padding above `input`; rows past its end are outside the image).
    package func appendMaxPool(_ geometry: PoolGeometry, input: FeatureMapView, output: FeatureMapView, padTop: Int, tag: Int) {
        let pooling = FastPooling.cPooling(geometry, LDK_POOL_MAX, input: input, output: output, padTop: padTop)
        instructions.append(
            ldk_program_instruction(
                kind: LDK_INSTRUCTION_POOL, kernel: LDK_KERNEL_POINTWISE, convolution: ldk_convolution(), pooling: pooling,
                destination: nil, source: nil, count: 0))
        tags.append(tag)
    }

    /// Appends a move of `count` floats from `source` to `destination` (they may overlap).
    package func appendMove(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int, tag: Int) {
        instructions.append(
            ldk_program_instruction(
                kind: LDK_INSTRUCTION_MOVE, kernel: LDK_KERNEL_POINTWISE, convolution: ldk_convolution(), pooling: ldk_pooling(),
                destination: destination, source: source, count: count))
        tags.append(tag)
    }

    /// Runs every list, in parallel on `threads` when there is more than one, each list's
    /// convolutions in its thread's slot of `workspace`. With `seconds` (`instructionCount`
    /// values), each instruction's wall time is stored there.
    package func run(
        threads: KernelThreadPool?, workspace: KernelWorkspace, instructionSet: KernelInstructionSet = .selected,
        seconds: UnsafeMutableBufferPointer<Double>? = nil
    ) {
        precondition(instructions.count == starts.last!, "the last list was not ended")
        precondition(seconds.map { $0.count >= instructions.count } ?? true, "too few slots for the program's timings")
        precondition(
            workspace.covers(bytesPerThread: workspaceBytesPerThread, threads: threads?.threadCount ?? 1),
            "the workspace is too small for the program's convolutions")
        var cWorkspace = workspace.cValue
        instructions.withUnsafeBufferPointer { instructions in
            starts.withUnsafeBufferPointer { starts in
                ldk_run_programs(
                    instructionSet.cValue, instructions.baseAddress, starts.baseAddress, starts.count - 1,
                    threads?.pool, &cWorkspace, seconds?.baseAddress)
            }
        }
    }
}
