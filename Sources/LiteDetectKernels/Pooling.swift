/// Plain pooling loops: the obviously-correct twin `FastPooling` is tested against.
package enum ReferencePooling {
    /// Max pool; padding never wins (it is ignored, as in PyTorch).
    package static func max(_ geometry: PoolGeometry, input: FeatureMapView, output: FeatureMapView) {
        let channels = input.channels
        forEachWindow(geometry, input: input, output: output) { dst, ys, xs, _ in
            for c in 0..<channels { dst[c] = -Float.infinity }
            for y in ys {
                for x in xs {
                    let src = input.pixel(y, x)
                    for c in 0..<channels { dst[c] = Swift.max(dst[c], src[c]) }
                }
            }
        }
    }

    /// Average pool. With `countIncludePadding` (PyTorch's default) the divisor is the window
    /// clipped to the padded input; without it, only the input pixels inside the window count.
    package static func average(
        _ geometry: PoolGeometry, countIncludePadding: Bool, input: FeatureMapView, output: FeatureMapView
    ) {
        let channels = input.channels
        forEachWindow(geometry, input: input, output: output) { dst, ys, xs, paddedCount in
            for c in 0..<channels { dst[c] = 0 }
            for y in ys {
                for x in xs {
                    let src = input.pixel(y, x)
                    for c in 0..<channels { dst[c] += src[c] }
                }
            }
            let scale = 1 / Float(countIncludePadding ? paddedCount : ys.count * xs.count)
            for c in 0..<channels { dst[c] *= scale }
        }
    }

    /// Mean over all pixels, per channel: `H×W×C → 1×1×C`.
    package static func globalAverage(input: FeatureMapView, output: UnsafeMutablePointer<Float>) {
        let channels = input.channels
        for c in 0..<channels { output[c] = 0 }
        for y in 0..<input.height {
            for x in 0..<input.width {
                let src = input.pixel(y, x)
                for c in 0..<channels { output[c] += src[c] }
            }
        }
        let scale = 1 / Float(input.shape.pixelCount)
        for c in 0..<channels { output[c] *= scale }
    }

    /// Calls `body` for each output pixel with the input rows and columns under its window and
    /// the window's size clipped to the padded input (PyTorch's `count_include_pad` divisor).
    @inline(__always)
    private static func forEachWindow(
        _ g: PoolGeometry, input: FeatureMapView, output: FeatureMapView,
        _ body: (UnsafeMutablePointer<Float>, Range<Int>, Range<Int>, Int) -> Void
    ) {
        let out = g.output
        precondition(input.shape == g.input && output.shape == out, "pool views do not match geometry")
        for oy in 0..<out.height {
            let y0 = oy * g.stride - g.padding.top
            let yPadEnd = Swift.min(y0 + g.kernel, input.height + g.padding.bottom)
            let ys = Swift.max(y0, 0)..<Swift.min(y0 + g.kernel, input.height)
            for ox in 0..<out.width {
                let x0 = ox * g.stride - g.padding.left
                let xPadEnd = Swift.min(x0 + g.kernel, input.width + g.padding.right)
                let xs = Swift.max(x0, 0)..<Swift.min(x0 + g.kernel, input.width)
                body(output.pixel(oy, ox), ys, xs, (yPadEnd - y0) * (xPadEnd - x0))
            }
        }
    }
}
