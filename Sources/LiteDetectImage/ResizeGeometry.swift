/// Where the resized source lies inside the network input, and how to map coordinates back.
///
/// Coordinates are continuous pixel-edge coordinates: pixel `i` covers `[i, i + 1)`, so a box
/// covering the whole target is `(0, 0, targetWidth, targetHeight)`. Mapping is a pure scale and
/// shift: `source = (target − contentOrigin) · sourceSize / contentSize`, for either convention.
package struct ResizeGeometry: Sendable, Equatable {
    package let sourceWidth: Int
    package let sourceHeight: Int
    package let targetWidth: Int
    package let targetHeight: Int
    /// The rectangle of the target the image occupies (the whole target for `.stretch`).
    package let contentX: Int
    package let contentY: Int
    package let contentWidth: Int
    package let contentHeight: Int

    /// Computes the placement for a mode (see `ResizeMode`).
    package init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int, mode: ResizeMode) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        switch mode {
        case .stretch:
            (contentX, contentY, contentWidth, contentHeight) = (0, 0, targetWidth, targetHeight)
        case .letterbox:
            let scale = min(Double(targetWidth) / Double(sourceWidth), Double(targetHeight) / Double(sourceHeight))
            let width = min(targetWidth, max(1, Int((Double(sourceWidth) * scale).rounded())))
            let height = min(targetHeight, max(1, Int((Double(sourceHeight) * scale).rounded())))
            (contentWidth, contentHeight) = (width, height)
            (contentX, contentY) = ((targetWidth - width) / 2, (targetHeight - height) / 2)
        }
    }

    /// Target pixels per source pixel, horizontally.
    package var scaleX: Double { Double(contentWidth) / Double(sourceWidth) }
    /// Target pixels per source pixel, vertically.
    package var scaleY: Double { Double(contentHeight) / Double(sourceHeight) }

    /// The source position of a target position (not clamped).
    package func sourcePoint(targetX: Double, targetY: Double) -> (x: Double, y: Double) {
        ((targetX - Double(contentX)) / scaleX, (targetY - Double(contentY)) / scaleY)
    }

    /// The source rectangle of a box given in target pixels, clamped to the source image.
    package func sourceBox(
        targetXMin: Double, targetYMin: Double, targetXMax: Double, targetYMax: Double
    ) -> (xMin: Double, yMin: Double, xMax: Double, yMax: Double) {
        let (x0, y0) = sourcePoint(targetX: targetXMin, targetY: targetYMin)
        let (x1, y1) = sourcePoint(targetX: targetXMax, targetY: targetYMax)
        let clampX = { (value: Double) in min(max(value, 0), Double(self.sourceWidth)) }
        let clampY = { (value: Double) in min(max(value, 0), Double(self.sourceHeight)) }
        return (clampX(x0), clampY(y0), clampX(x1), clampY(y1))
    }

    /// The source rectangle of a box given as fractions of the target (0...1, the usual SSD
    /// output), clamped to the source image.
    package func sourceBox(
        normalizedXMin: Double, normalizedYMin: Double, normalizedXMax: Double, normalizedYMax: Double
    ) -> (xMin: Double, yMin: Double, xMax: Double, yMax: Double) {
        sourceBox(
            targetXMin: normalizedXMin * Double(targetWidth), targetYMin: normalizedYMin * Double(targetHeight),
            targetXMax: normalizedXMax * Double(targetWidth), targetYMax: normalizedYMax * Double(targetHeight))
    }
}
