/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
public struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The part inside `0 ..< width`, `0 ..< height` (possibly empty).
    public func clipped(width limitWidth: Int, height limitHeight: Int) -> PixelRect {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(maxX, limitWidth), y1 = min(maxY, limitHeight)
        return PixelRect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    public var description: String { "(\(x), \(y)) \(width)x\(height)" }
}
