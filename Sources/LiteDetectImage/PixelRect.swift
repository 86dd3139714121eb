/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
package struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    package var x: Int
    package var y: Int
    package var width: Int
    package var height: Int

    package init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    package var maxX: Int { x + width }
    package var maxY: Int { y + height }
    package var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The part inside `0 ..< width`, `0 ..< height` (possibly empty).
    package func clipped(width limitWidth: Int, height limitHeight: Int) -> PixelRect {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(maxX, limitWidth), y1 = min(maxY, limitHeight)
        return PixelRect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    package var description: String { "(\(x), \(y)) \(width)x\(height)" }
}
