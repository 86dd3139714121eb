import LiteDetectKernels
import XCTest

/// Runs one convolution through a fast kernel and through `ReferenceConvolution` on the same
/// random weights and inputs, and fails the calling test if they disagree.
///
/// Input, output and residual are channel slices of wider maps when `strided` (the way concat
/// and split views reach the kernels): the input's other channels hold NaN, so reading them
/// shows up, and the output's other channels hold a sentinel that must survive.
struct ConvolutionComparison {
    var geometry: ConvolutionGeometry
    var activation: Activation
    var kernel: FastConvolution.Kernel
    var instructionSet: KernelInstructionSet
    var strided = false
    var residual = false
    /// Threads to split the fast kernel across (`nil`: the calling thread only).
    var threads: KernelThreadPool? = nil
    /// Allowed error relative to the sum of the terms' magnitudes: fp32 rounding of a reordered
    /// sum, with room for the activation's slope (≤ 1.5). Winograd needs more (see its test).
    var relativeTolerance: Float = 2e-5
    /// The precision the fast kernel multiplies in; it must run in it (no silent float32).
    var precision: KernelPrecision = .float32

    /// The bound for bfloat16: each input and weight is rounded to the nearest of 8 significant
    /// bits (relative error ≤ 2⁻⁸ each), so a product is off by at most (2⁻⁷ + 2⁻¹⁶) of its
    /// magnitude (float32 holds the product of two bfloat16 values exactly); add the float32 sum's
    /// reordering (2e-5) and scale by the activation's largest slope (1.5, hard-swish).
    static let bfloat16RelativeTolerance: Float = 1.5 * (0x1p-7 + 0x1p-16) + 2e-5
    /// Adds to each output's error scale (beside the direct terms' magnitudes) a kernel-specific
    /// one, from the input and OHWI weights: Winograd's transformed terms (`WinogradErrorScale`).
    var extraScale: ((ConvolutionGeometry, _ input: [Float], _ weights: [Float]) -> [Float])? = nil

    /// Floats a strided view leaves before its channels and after them, per pixel.
    private static let sliceOffset = 3, sliceTail = 2
    private static let outputSentinel: Float = 12345

    /// Returns the largest error relative to the terms' magnitudes (what `relativeTolerance` bounds).
    @discardableResult
    func check(seed: UInt64, file: StaticString = #filePath, line: UInt = #line) -> Float {
        var random = SeededRandom(seed: seed)
        let inShape = geometry.input, outShape = geometry.output
        let weights = random.values(geometry.weightCount)
        let bias = random.values(geometry.outputChannels)
        let input = random.values(inShape.elementCount)
        let residualValues = residual ? random.values(outShape.elementCount) : []

        // The reference, on contiguous maps: the plain sum, and the sum of magnitudes that
        // bounds how far a reordered float sum can drift from it.
        var sum = [Float](repeating: 0, count: outShape.elementCount)
        var magnitude = [Float](repeating: 0, count: outShape.elementCount)
        Self.reference(geometry, input: input, weights: weights, bias: bias, output: &sum)
        Self.reference(geometry, input: input.map(abs), weights: weights.map(abs), bias: bias.map(abs), output: &magnitude)
        if let extraScale {
            for (i, extra) in extraScale(geometry, input, weights).enumerated() { magnitude[i] += extra }
        }

        let fast = FastConvolution(
            geometry: geometry, activation: activation, weights: weights, bias: bias, kernel: kernel, precision: precision)
        XCTAssertEqual(fast.precision, precision, "\(kernel) for \(geometry) does not run in \(precision)", file: file, line: line)
        let inLayout = Self.layout(channels: inShape.channels, strided: strided)
        let outLayout = Self.layout(channels: outShape.channels, strided: strided)
        var inputStorage = Self.embed(input, shape: inShape, layout: inLayout, filler: .nan)
        var residualStorage = Self.embed(
            residualValues, shape: residual ? outShape : FeatureMapShape(height: 0, width: 0, channels: 0),
            layout: outLayout, filler: .nan)
        var outputStorage = [Float](repeating: Self.outputSentinel, count: outShape.pixelCount * outLayout.stride)
        inputStorage.withUnsafeMutableBufferPointer { inBuffer in
            outputStorage.withUnsafeMutableBufferPointer { outBuffer in
                residualStorage.withUnsafeMutableBufferPointer { resBuffer in
                    let inView = FeatureMapView(base: inBuffer.baseAddress! + inLayout.offset, shape: inShape, pixelStride: inLayout.stride)
                    let outView = FeatureMapView(base: outBuffer.baseAddress! + outLayout.offset, shape: outShape, pixelStride: outLayout.stride)
                    let resView =
                        residual
                        ? FeatureMapView(base: resBuffer.baseAddress! + outLayout.offset, shape: outShape, pixelStride: outLayout.stride) : nil
                    fast.run(
                        input: inView, output: outView, residual: resView, threads: threads,
                        workspace: KernelWorkspace(for: [fast], threadCount: threads?.threadCount ?? 1),
                        instructionSet: instructionSet)
                }
            }
        }

        var worst: (excess: Float, index: Int, got: Float, expected: Float) = (0, -1, 0, 0)
        var clobbered = 0, failures = 0, largest: Float = 0
        for pixel in 0..<outShape.pixelCount {
            for slot in 0..<outLayout.stride {
                let got = outputStorage[pixel * outLayout.stride + slot]
                let channel = slot - outLayout.offset
                guard channel >= 0 && channel < outShape.channels else {
                    if got != Self.outputSentinel { clobbered += 1 }
                    continue
                }
                let i = pixel * outShape.channels + channel
                let skip = residual ? residualValues[i] : 0
                let expected = activation.apply(sum[i] + skip)
                let scale = magnitude[i] + abs(skip)
                largest = max(largest, abs(got - expected) / max(scale, 1e-30))
                let tolerance = relativeTolerance * scale + 1e-7
                let excess = abs(got - expected) / tolerance
                guard !(excess <= 1) else { continue }
                failures += 1
                if !(excess <= worst.excess) { worst = (excess.isNaN ? .infinity : excess, i, got, expected) }
            }
        }
        let label =
            "\(kernel) in \(precision) on \(precision == .bfloat16 ? "AVX512_BF16" : instructionSet.description), \(geometry), \(activation)\(strided ? ", strided" : "")\(residual ? ", residual" : "")"
            + (threads.map { ", \($0.threadCount) threads" } ?? "")
        XCTAssertEqual(clobbered, 0, "\(label): wrote outside its output channels", file: file, line: line)
        if worst.index >= 0 {
            let channel = worst.index % outShape.channels, pixel = worst.index / outShape.channels
            XCTFail(
                "\(label): \(failures) values off; worst at pixel (\(pixel / outShape.width), \(pixel % outShape.width)) channel \(channel): got \(worst.got), reference \(worst.expected)",
                file: file, line: line)
        }
        return largest
    }

    private static func layout(channels: Int, strided: Bool) -> (offset: Int, stride: Int) {
        strided ? (sliceOffset, sliceOffset + channels + sliceTail) : (0, channels)
    }

    /// `values` (contiguous) placed at `layout` in a buffer of `filler`.
    private static func embed(_ values: [Float], shape: FeatureMapShape, layout: (offset: Int, stride: Int), filler: Float) -> [Float] {
        var storage = [Float](repeating: filler, count: max(shape.pixelCount * layout.stride, 1))
        for pixel in 0..<shape.pixelCount {
            for c in 0..<shape.channels { storage[pixel * layout.stride + layout.offset + c] = values[pixel * shape.channels + c] }
        }
        return storage
    }

    private static func reference(
        _ geometry: ConvolutionGeometry, input: [Float], weights: [Float], bias: [Float], output: inout [Float]
    ) {
        var input = input
        input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                ReferenceConvolution.run(
                    geometry, input: FeatureMapView(base: i.baseAddress!, shape: geometry.input), weights: weights, bias: bias,
                    activation: .identity, output: FeatureMapView(base: o.baseAddress!, shape: geometry.output))
            }
        }
    }
}
