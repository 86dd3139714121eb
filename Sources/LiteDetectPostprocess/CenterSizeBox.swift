/// A box in center-size form: center (`centerX`, `centerY`), `width`, `height`.
///
/// Anchors use this form, in normalised [0, 1] image coordinates (x to the right, y down), because
/// every SSD box coder decodes relative to an anchor's center and size.
package struct CenterSizeBox: Sendable, Hashable {
    package var centerX: Float
    package var centerY: Float
    package var width: Float
    package var height: Float

    @inlinable
    package init(centerX: Float, centerY: Float, width: Float, height: Float) {
        self.centerX = centerX
        self.centerY = centerY
        self.width = width
        self.height = height
    }

    /// The center-size form of a corner box, computed as torchvision's `BoxCoder` and TensorFlow's
    /// `BoxList.get_center_coordinates_and_sizes` do: `width = x2 - x1`, `centerX = x1 + width / 2`.
    @inlinable
    package init(_ box: Box) {
        let width = box.x2 - box.x1
        let height = box.y2 - box.y1
        self.init(centerX: box.x1 + 0.5 * width, centerY: box.y1 + 0.5 * height, width: width, height: height)
    }

    /// The corner form: `center ∓ size / 2`.
    @inlinable
    package var corners: Box {
        Box(
            x1: centerX - 0.5 * width, y1: centerY - 0.5 * height,
            x2: centerX + 0.5 * width, y2: centerY + 0.5 * height
        )
    }
}
