/// Operations that move or combine channels of channels-last feature maps, as plain loops: the
/// obviously-correct twin `FastChannelOps` is tested against.
package enum ReferenceChannelOps {
    /// `output = activation(a + b)`, element-wise; all three views have the same shape.
    package static func add(_ a: FeatureMapView, _ b: FeatureMapView, activation: Activation, output: FeatureMapView) {
        precondition(a.shape == b.shape && a.shape == output.shape, "add needs equal shapes")
        let channels = a.channels
        for y in 0..<a.height {
            for x in 0..<a.width {
                let pa = a.pixel(y, x), pb = b.pixel(y, x), po = output.pixel(y, x)
                for c in 0..<channels { po[c] = activation.apply(pa[c] + pb[c]) }
            }
        }
    }

    /// `output = activation(input)`, element-wise; both views have the same shape.
    package static func activation(_ input: FeatureMapView, _ activation: Activation, output: FeatureMapView) {
        precondition(input.shape == output.shape, "activation needs equal shapes")
        let channels = input.channels
        for y in 0..<input.height {
            for x in 0..<input.width {
                let src = input.pixel(y, x), dst = output.pixel(y, x)
                for c in 0..<channels { dst[c] = activation.apply(src[c]) }
            }
        }
    }

    /// Copies `source` into `destination` (same height, width and channel count; strides may differ).
    /// Concatenation writes each part into a channel slice of the output, a split reads one.
    package static func copy(_ source: FeatureMapView, to destination: FeatureMapView) {
        precondition(source.shape == destination.shape, "copy needs equal shapes")
        let channels = source.channels
        if source.isContiguous && destination.isContiguous {
            destination.base.update(from: source.base, count: source.shape.elementCount)
            return
        }
        for y in 0..<source.height {
            for x in 0..<source.width {
                destination.pixel(y, x).update(from: source.pixel(y, x), count: channels)
            }
        }
    }

    /// ShuffleNet's channel shuffle: with `groups` g and `C = g·n` channels, output channel
    /// `j·g + i` takes input channel `i·n + j` (reshape to g×n, transpose, flatten).
    package static func shuffle(_ input: FeatureMapView, groups: Int, output: FeatureMapView) {
        precondition(input.shape == output.shape && input.channels % groups == 0, "shuffle needs equal shapes divisible by groups")
        let perGroup = input.channels / groups
        for y in 0..<input.height {
            for x in 0..<input.width {
                let src = input.pixel(y, x), dst = output.pixel(y, x)
                for i in 0..<groups {
                    for j in 0..<perGroup { dst[j * groups + i] = src[i * perGroup + j] }
                }
            }
        }
    }

    /// `output[y, x, c] = input[y, x, c] · scales[c]` — the excitation step of squeeze-and-excitation.
    package static func scaleChannels(_ input: FeatureMapView, scales: UnsafePointer<Float>, output: FeatureMapView) {
        precondition(input.shape == output.shape, "scale needs equal shapes")
        let channels = input.channels
        for y in 0..<input.height {
            for x in 0..<input.width {
                let src = input.pixel(y, x), dst = output.pixel(y, x)
                for c in 0..<channels { dst[c] = src[c] * scales[c] }
            }
        }
    }
}
