/// Maps normalised network coordinates to original-image pixels:
/// `x_pixels = x · scaleX + offsetX`, `y_pixels = y · scaleY + offsetY`.
///
/// For an input resized without keeping the aspect ratio use `stretched(toWidth:height:)`.
/// For a letterboxed input (image scaled by `r` and placed at pixel offset `(padX, padY)` inside a
/// `networkWidth × networkHeight` input) use `scaleX = networkWidth / r`, `offsetX = -padX / r`
/// (and likewise for y).
package struct NormalizedToImageTransform: Sendable, Hashable {
    package var scaleX: Float
    package var scaleY: Float
    package var offsetX: Float
    package var offsetY: Float

    package init(scaleX: Float, scaleY: Float, offsetX: Float = 0, offsetY: Float = 0) {
        self.scaleX = scaleX
        self.scaleY = scaleY
        self.offsetX = offsetX
        self.offsetY = offsetY
    }

    /// The whole network input covers the whole `width × height` image.
    package static func stretched(toWidth width: Int, height: Int) -> NormalizedToImageTransform {
        NormalizedToImageTransform(scaleX: Float(width), scaleY: Float(height))
    }

    /// Leaves normalised coordinates as they are.
    package static let identity = NormalizedToImageTransform(scaleX: 1, scaleY: 1)

    @inlinable
    package func apply(_ box: Box) -> Box {
        Box(
            x1: box.x1 * scaleX + offsetX, y1: box.y1 * scaleY + offsetY,
            x2: box.x2 * scaleX + offsetX, y2: box.y2 * scaleY + offsetY)
    }
}
