extension RGBImage {
    /// The image as it should be displayed given its EXIF orientation (see `ExifOrientation`
    /// for each transform). The result is packed; `.up` returns the image unchanged.
    package func applying(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .up { return self }
        let (w, h) = (width, height)
        // Display pixel (x, y) reads stored pixel (sx, sy) with sx = ax·x + bx·y + cx and
        // sy = ay·x + by·y + cy; folding that into byte offsets gives one add per pixel.
        let (ax, bx, cx, ay, by, cy): (Int, Int, Int, Int, Int, Int)
        switch orientation {
        case .up: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, 1, 0)
        case .upMirrored: (ax, bx, cx, ay, by, cy) = (-1, 0, w - 1, 0, 1, 0)
        case .down: (ax, bx, cx, ay, by, cy) = (-1, 0, w - 1, 0, -1, h - 1)
        case .downMirrored: (ax, bx, cx, ay, by, cy) = (1, 0, 0, 0, -1, h - 1)
        case .leftMirrored: (ax, bx, cx, ay, by, cy) = (0, 1, 0, 1, 0, 0)
        case .right: (ax, bx, cx, ay, by, cy) = (0, 1, 0, -1, 0, h - 1)
        case .rightMirrored: (ax, bx, cx, ay, by, cy) = (0, -1, w - 1, -1, 0, h - 1)
        case .left: (ax, bx, cx, ay, by, cy) = (0, -1, w - 1, 1, 0, 0)
        }
        let pixel = Self.bytesPerPixel
        let stepX = ay * bytesPerRow + ax * pixel
        let stepY = by * bytesPerRow + bx * pixel
        let origin = cy * bytesPerRow + cx * pixel
        let (outWidth, outHeight) = orientation.swapsWidthAndHeight ? (h, w) : (w, h)

        var result = RGBImage(width: outWidth, height: outHeight)
        pixels.withUnsafeBufferPointer { source in
            result.pixels.withUnsafeMutableBufferPointer { target in
                var out = 0
                for y in 0..<outHeight {
                    var from = origin + y * stepY
                    for _ in 0..<outWidth {
                        target[out] = source[from]
                        target[out + 1] = source[from + 1]
                        target[out + 2] = source[from + 2]
                        out += pixel
                        from += stepX
                    }
                }
            }
        }
        return result
    }
}
