/// Drawing primitives. Everything is clipped to the image: shapes partly or wholly outside
/// it are drawn as far as they are inside, never crashing.
extension RGBImage {
    /// Paints every pixel of `rect` (clipped) with `color`.
    package mutating func fill(_ rect: PixelRect, color: RGBColor) {
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

    /// Draws the outline of `rect` with lines `lineWidth` pixels thick. The lines lie inside
    /// `rect`, so the outline never grows beyond the rectangle it marks. A dashed or dotted side
    /// starts and ends with a dash, so every corner is drawn: its gaps are stretched evenly to
    /// make the dashes fit. A side too short for two dashes is drawn solid.
    package mutating func stroke(_ rect: PixelRect, lineWidth: Int, color: RGBColor, style: LineStyle = .solid) {
        if rect.isEmpty { return }
        let line = max(1, min(lineWidth, (min(rect.width, rect.height) + 1) / 2))
        let sides = [
            PixelRect(x: rect.x, y: rect.y, width: rect.width, height: line),
            PixelRect(x: rect.x, y: rect.maxY - line, width: rect.width, height: line),
            PixelRect(x: rect.x, y: rect.y, width: line, height: rect.height),
            PixelRect(x: rect.maxX - line, y: rect.y, width: line, height: rect.height),
        ]
        guard let (on, off) = style.pattern(lineWidth: line) else {
            for side in sides { fill(side, color: color) }
            return
        }
        for (index, side) in sides.enumerated() {
            let horizontal = index < 2
            let length = horizontal ? side.width : side.height
            // Dashes at 0 and at length - on, with `gaps` roughly equal gaps of at least `off` between.
            let gaps = (length - on) / (on + off)
            if gaps < 1 {
                fill(side, color: color)
                continue
            }
            for dash in 0...gaps {
                let start = dash * (length - on) / gaps
                fill(
                    horizontal
                        ? PixelRect(x: side.x + start, y: side.y, width: on, height: side.height)
                        : PixelRect(x: side.x, y: side.y + start, width: side.width, height: on),
                    color: color)
            }
        }
    }

    /// Draws `text` in the built-in `BitmapFont`, one line, with the top-left corner of the first
    /// glyph cell at (`x`, `y`); each font pixel becomes a `scale × scale` block.
    /// The text occupies `BitmapFont.width(of: text) * scale` by `BitmapFont.glyphHeight * scale` pixels.
    package mutating func draw(text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor) {
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
