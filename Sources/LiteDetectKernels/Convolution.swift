/// Plain convolution: the obviously-correct twin every fast kernel is tested against.
///
/// Weights are packed `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`
/// (OHWI: the innermost run matches the channels-last input pixel), bias has one value per
/// output channel, and the activation is applied to the sum as it is stored.
package enum ReferenceConvolution {
    package static func run(
        _ geometry: ConvolutionGeometry,
        input: FeatureMapView, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        activation: Activation, output: FeatureMapView
    ) {
        let out = geometry.output
        precondition(input.shape == geometry.input && output.shape == out, "convolution views do not match geometry")
        let cinG = geometry.inputChannelsPerGroup
        let coutG = geometry.outputChannelsPerGroup
        let kh = geometry.kernelHeight, kw = geometry.kernelWidth
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                let dst = output.pixel(oy, ox)
                for oc in 0..<out.channels {
                    let group = oc / coutG
                    var sum: Float = bias?[oc] ?? 0
                    let filter = weights + oc * kh * kw * cinG
                    for ky in 0..<kh {
                        let iy = oy * geometry.stride + ky - geometry.padding.top
                        if iy < 0 || iy >= input.height { continue }
                        for kx in 0..<kw {
                            let ix = ox * geometry.stride + kx - geometry.padding.left
                            if ix < 0 || ix >= input.width { continue }
                            let src = input.pixel(iy, ix) + group * cinG
                            let tap = filter + (ky * kw + kx) * cinG
                            for ic in 0..<cinG { sum += src[ic] * tap[ic] }
                        }
                    }
                    dst[oc] = activation.apply(sum)
                }
            }
        }
    }
}
