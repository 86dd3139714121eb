/// An 8-bit RGB image held in memory.
///
/// Layout: `height` rows, top to bottom, starting `bytesPerRow` bytes apart in `pixels`;
/// each row holds `width` pixels of 3 bytes (red, green, blue), left to right.
/// Bytes between `width * 3` and `bytesPerRow` (row padding) are unused.
///
/// A value type: copies share storage until one of them is modified.
public struct RGBImage: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Distance in bytes from the start of one row to the start of the next (>= `width * 3`).
    public let bytesPerRow: Int
    /// Pixel bytes, `height * bytesPerRow` of them.
    public var pixels: [UInt8]

    /// Number of bytes one pixel takes.
    public static let bytesPerPixel = 3

    /// Creates a tightly packed image (`bytesPerRow == width * 3`) filled with one colour.
    public init(width: Int, height: Int, fill: RGBColor = .black) {
        precondition(width > 0 && height > 0, "image sides must be positive, got \(width)x\(height)")
        self.width = width
        self.height = height
        self.bytesPerRow = width * Self.bytesPerPixel
        var pixels = [UInt8](repeating: 0, count: width * height * Self.bytesPerPixel)
        if fill != .black {
            for index in stride(from: 0, to: pixels.count, by: Self.bytesPerPixel) {
                pixels[index] = fill.red
                pixels[index + 1] = fill.green
                pixels[index + 2] = fill.blue
            }
        }
        self.pixels = pixels
    }

    /// Wraps existing pixel bytes. Returns nil when the sizes are inconsistent
    /// (non-positive sides, `bytesPerRow < width * 3`, or `pixels.count != height * bytesPerRow`).
    public init?(width: Int, height: Int, bytesPerRow: Int? = nil, pixels: [UInt8]) {
        let rowBytes = bytesPerRow ?? width * Self.bytesPerPixel
        guard width > 0, height > 0, rowBytes >= width * Self.bytesPerPixel,
            pixels.count == height * rowBytes
        else { return nil }
        self.width = width
        self.height = height
        self.bytesPerRow = rowBytes
        self.pixels = pixels
    }

    /// Number of pixels (`width * height`).
    public var pixelCount: Int { width * height }

    /// The colour at column `x`, row `y` (both must be inside the image).
    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = y * bytesPerRow + x * Self.bytesPerPixel
            return RGBColor(red: pixels[index], green: pixels[index + 1], blue: pixels[index + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = y * bytesPerRow + x * Self.bytesPerPixel
            pixels[index] = newValue.red
            pixels[index + 1] = newValue.green
            pixels[index + 2] = newValue.blue
        }
    }

    /// The same pixels without row padding (`bytesPerRow == width * 3`).
    public func packed() -> RGBImage {
        let rowBytes = width * Self.bytesPerPixel
        if bytesPerRow == rowBytes { return self }
        var result = [UInt8]()
        result.reserveCapacity(rowBytes * height)
        for y in 0..<height {
            let start = y * bytesPerRow
            result.append(contentsOf: pixels[start..<(start + rowBytes)])
        }
        return RGBImage(width: width, height: height, pixels: result)!
    }
}

/// One 8-bit RGB colour.
public struct RGBColor: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Creates a colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 255, green: 255, blue: 255)

    public var description: String {
        let hex = (Int(red) << 16) | (Int(green) << 8) | Int(blue)
        let digits = String(hex, radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
