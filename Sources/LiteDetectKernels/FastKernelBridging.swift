internal import CLiteDetectKernels

// The C kernels' argument types made from the Swift ones, shared by every Fast* wrapper.

extension FeatureMapView {
    /// The same window as the C kernels see it.
    var cMap: ldk_feature_map {
        ldk_feature_map(base: base, height: height, width: width, channels: channels, pixel_stride: pixelStride)
    }
}

extension Activation {
    var cValue: ldk_activation {
        switch self {
        case .identity: return LDK_ACTIVATION_IDENTITY
        case .relu: return LDK_ACTIVATION_RELU
        case .relu6: return LDK_ACTIVATION_RELU6
        case .hardSwish: return LDK_ACTIVATION_HARD_SWISH
        case .hardSigmoid: return LDK_ACTIVATION_HARD_SIGMOID
        }
    }
}
