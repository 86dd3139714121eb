/// Drawing primitives. Everything is clipped to the image: shapes partly or wholly outside
/// it are drawn as far as they are inside, never crashing.
extension RGBImage {
    /// Paints every pixel of `rect` (clipped) with `color`.
    public mutating func fill(_ rect: PixelRect, color: RGBColor) {
        let area = rect.clipped(width: width, height: height)
        if area.isEmpty { return }
        let rowBytes = bytesPerRow
        pixels.withUnsafeMutableBufferPointer { buffer in
            for y in area.y..<area.maxY {
                var index = y * rowBytes + area.x * Self.bytesPerPixel
                for _ in 0..<area.width {
                    buffer[index] = color.red
                    buffer[index + 1] = color.green
                    buffer[index + 2] = color.blue
                    index += Self.bytesPerPixel
                }
            }
        }
    }

    /// Draws the outline of `rect` with lines `lineWidth` pixels thick, lying inside `rect`
    /// (so the outline never grows beyond the rectangle it marks).
    public mutating func stroke(_ rect: PixelRect, lineWidth: Int, color: RGBColor) {
        if rect.isEmpty { return }
        let line = max(1, min(lineWidth, (min(rect.width, rect.height) + 1) / 2))
        fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: line), color: color)
        fill(PixelRect(x: rect.x, y: rect.maxY - line, width: rect.width, height: line), color: color)
        fill(PixelRect(x: rect.x, y: rect.y + line, width: line, height: rect.height - 2 * line), color: color)
        fill(PixelRect(x: rect.maxX - line, y: rect.y + line, width: line, height: rect.height - 2 * line), color: color)
    }

    /// Draws `text` in the built-in `BitmapFont`, one line, with the top-left corner of the first
    /// glyph cell at (`x`, `y`); each font pixel becomes a `scale × scale` block.
    /// The text occupies `BitmapFont.width(of: text) * scale` by `BitmapFont.glyphHeight * scale` pixels.
    public mutating func draw(text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor) {
        let scale = max(1, scale)
        var penX = x
        for scalar in text.unicodeScalars {
            let rows = BitmapFont.rows(for: scalar)
            for (row, bits) in rows.enumerated() where bits != 0 {
                for column in 0..<BitmapFont.glyphWidth where bits & (1 << UInt8(BitmapFont.glyphWidth - 1 - column)) != 0 {
                    fill(PixelRect(x: penX + column * scale, y: y + row * scale, width: scale, height: scale), color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
