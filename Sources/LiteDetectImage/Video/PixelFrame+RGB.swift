extension PixelFrame {
    /// Writes this frame's pixels into `image` as RGB: the conversion the detector reads.
    ///
    /// `image` must have the frame's width and height (any row padding). Packed formats are
    /// reordered (alpha dropped), gray is replicated into the three channels, and YUV goes
    /// through `BT601` with each chroma sample used for every pixel it covers (no chroma
    /// interpolation, as OpenCV and libyuv do). Allocates nothing when `image`'s storage is not
    /// shared with another copy.
    public func convert(into image: inout RGBImage) throws(VideoError) {
        guard image.width == width, image.height == height else {
            throw .frameSizeMismatch(expected: "\(image.width)x\(image.height) (the destination image)", actual: "\(width)x\(height)")
        }
        let outputStride = image.bytesPerRow
        image.pixels.withUnsafeMutableBufferPointer { output in
            let out = output.baseAddress!
            for row in 0..<height {
                convertRow(row, into: out + row * outputStride)
            }
        }
    }

    /// A new RGB image of this frame (use `convert(into:)` per frame to reuse one).
    public func rgbImage() -> RGBImage {
        var image = RGBImage(width: width, height: height)
        try! convert(into: &image)  // same size by construction
        return image
    }

    private func convertRow(_ row: Int, into out: UnsafeMutablePointer<UInt8>) {
        let source = plane(0)
        let pixels = source.bytes.baseAddress!.advanced(by: row * source.bytesPerRow).assumingMemoryBound(to: UInt8.self)
        switch format {
        case .rgb8: out.update(from: pixels, count: width * 3)
        case .bgr8: Self.reorder(pixels, step: 3, red: 2, blue: 0, count: width, into: out)
        case .rgba8: Self.reorder(pixels, step: 4, red: 0, blue: 2, count: width, into: out)
        case .bgra8: Self.reorder(pixels, step: 4, red: 2, blue: 0, count: width, into: out)
        case .gray8:
            for x in 0..<width {
                let value = pixels[x]
                (out[3 * x], out[3 * x + 1], out[3 * x + 2]) = (value, value, value)
            }
        case .nv12:
            let chroma = plane(1)
            let pairs = chroma.bytes.baseAddress!.advanced(by: (row >> 1) * chroma.bytesPerRow).assumingMemoryBound(to: UInt8.self)
            Self.yuvRow(luma: pixels, u: pairs, v: pairs + 1, chromaStep: 2, shiftX: 1, count: width, into: out)
        case .i420, .i422, .i444:
            let (u, v) = (plane(1), plane(2))
            let chromaRow = row >> format.chromaShift.y
            Self.yuvRow(
                luma: pixels,
                u: u.bytes.baseAddress!.advanced(by: chromaRow * u.bytesPerRow).assumingMemoryBound(to: UInt8.self),
                v: v.bytes.baseAddress!.advanced(by: chromaRow * v.bytesPerRow).assumingMemoryBound(to: UInt8.self),
                chromaStep: 1, shiftX: format.chromaShift.x, count: width, into: out)
        }
    }

    @inline(__always)
    private static func reorder(
        _ pixels: UnsafePointer<UInt8>, step: Int, red: Int, blue: Int, count: Int, into out: UnsafeMutablePointer<UInt8>
    ) {
        for x in 0..<count {
            let pixel = pixels + x * step
            (out[3 * x], out[3 * x + 1], out[3 * x + 2]) = (pixel[red], pixel[1], pixel[blue])
        }
    }

    /// One row of YUV: `u[k * chromaStep]`, `v[k * chromaStep]` is the chroma of pixels
    /// `k << shiftX ..< (k + 1) << shiftX`.
    private static func yuvRow(
        luma: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStep: Int, shiftX: Int, count: Int,
        into out: UnsafeMutablePointer<UInt8>
    ) {
        var x = 0
        var chroma = 0
        let span = 1 << shiftX
        while x < count {
            let terms = BT601.chromaTerms(u: u[chroma], v: v[chroma])
            for column in x..<min(x + span, count) {
                (out[3 * column], out[3 * column + 1], out[3 * column + 2]) = BT601.rgb(y: luma[column], terms)
            }
            x += span
            chroma += chromaStep
        }
    }
}
