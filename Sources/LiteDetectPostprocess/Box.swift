/// An axis-aligned box in corner form: left `x1`, top `y1`, right `x2`, bottom `y2`.
///
/// Units are whatever the caller uses (normalised [0, 1] network coordinates inside the
/// postprocessor, pixels in a `Detection`). A *proper* box has `x1 < x2` and `y1 < y2`;
/// zero-width, zero-height and inverted boxes are allowed and simply never overlap anything
/// (see `intersectionOverUnion(with:)`).
public struct Box: Sendable, Hashable {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    @inlinable
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    public var width: Float { x2 - x1 }
    public var height: Float { y2 - y1 }

    /// `(x2 - x1) * (y2 - y1)`, exactly as torchvision's NMS kernel computes it (so it is
    /// negative for a box inverted on one axis).
    @inlinable
    public var area: Float { (x2 - x1) * (y2 - y1) }

    /// Intersection over union, computed in the same float32 operation order as torchvision's
    /// CPU `nms` kernel and TensorFlow's `NonMaxSuppressionV5` (`inter / (areaA + areaB - inter)`),
    /// so that threshold decisions agree bit for bit.
    ///
    /// Degenerate pairs get 0: when the overlap is empty, or one box has zero width or height, or
    /// is inverted, the clamped intersection is 0 and so is the result (torchvision would return
    /// 0, -0 or NaN there, none of which passes `iou > threshold`; TensorFlow returns 0).
    /// The result is symmetric: `a.iou(b) == b.iou(a)` bit for bit.
    @inlinable
    public func intersectionOverUnion(with other: Box) -> Float {
        // Written as the reference kernels' std::max / std::min ((a < b) ? b : a); plain selects
        // that compile to maxss/minss, with no branch for the coin-flip overlap test of NMS loops.
        let left = x1 < other.x1 ? other.x1 : x1
        let top = y1 < other.y1 ? other.y1 : y1
        let right = other.x2 < x2 ? other.x2 : x2
        let bottom = other.y2 < y2 ? other.y2 : y2
        let overlapWidth = right - left
        let overlapHeight = bottom - top
        let intersection = (overlapWidth > 0 ? overlapWidth : 0) * (overlapHeight > 0 ? overlapHeight : 0)
        let ratio = intersection / (area + other.area - intersection)
        // A positive intersection implies both boxes are proper, so the union is positive too;
        // otherwise the ratio may be ±0 or NaN and is replaced.
        return intersection > 0 ? ratio : 0
    }

    /// This box with every coordinate clamped into `range` (torchvision `clip_boxes_to_image`,
    /// TensorFlow `clip_to_window`); a box entirely outside collapses onto the border with zero
    /// width or height.
    @inlinable
    public func clamped(to range: ClosedRange<Float>) -> Box {
        let lower = range.lowerBound
        let upper = range.upperBound
        return Box(
            x1: min(max(x1, lower), upper), y1: min(max(y1, lower), upper),
            x2: min(max(x2, lower), upper), y2: min(max(y2, lower), upper))
    }
}
