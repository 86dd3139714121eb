/// Where an output pixel samples the source in bilinear resizing. Frameworks disagree, and a
/// network only sees the inputs it was trained with, so the convention is part of a model's
/// configuration.
///
/// For an axis resized from `n` to `m` pixels, with `scale = n / m` computed in Float as the
/// frameworks do, output pixel `i` samples source coordinate `s(i)` (in source pixel indices),
/// blending pixels `floor(s)` and `min(floor(s) + 1, n - 1)` with weight `s - floor(s)` on the second.
package enum ResizeConvention: String, Sendable, CaseIterable {
    /// `s(i) = max((i + 0.5) · scale − 0.5, 0)`: pixel centres aligned. PyTorch's
    /// `F.interpolate(mode="bilinear", align_corners=False, antialias=False)` (so torchvision's
    /// detection transforms on tensors), TF2's `tf.image.resize(method="bilinear", antialias=False)`
    /// and OpenCV's `INTER_LINEAR`.
    case halfPixel
    /// `s(i) = i · scale`: TF1's `ResizeBilinear` with `align_corners=False, half_pixel_centers=False`
    /// (`tf.compat.v1.image.resize_bilinear`), used by TensorFlow Object Detection API SSD models.
    /// Shifts the image by half a source pixel minus half an output pixel; never samples
    /// beyond the last source pixel's left/top edge.
    case tfLegacy

    /// The source coordinate output pixel `index` samples, for a `scale = inputSize / outputSize`.
    @inlinable
    package func sourceCoordinate(outputIndex index: Int, scale: Float) -> Float {
        switch self {
        case .halfPixel: return max((Float(index) + 0.5) * scale - 0.5, 0)
        case .tfLegacy: return Float(index) * scale
        }
    }
}
