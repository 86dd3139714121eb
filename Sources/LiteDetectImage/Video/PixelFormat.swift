/// How the bytes of a video frame encode its pixels. All formats are 8 bits per sample.
///
/// YUV formats are BT.601 limited range ("TV range": luma 16…235, chroma 16…240), the default of
/// FFmpeg, libyuv and OpenCV for standard-definition and unlabelled video; see `BT601`.
/// Chroma planes of subsampled formats are `(width + 1) / 2` samples wide (and, for 4:2:0,
/// `(height + 1) / 2` rows high), as FFmpeg and the Y4M format lay out odd sizes.
public enum PixelFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// One plane, 3 bytes per pixel: red, green, blue.
    case rgb8
    /// One plane, 3 bytes per pixel: blue, green, red (OpenCV's default).
    case bgr8
    /// One plane, 4 bytes per pixel: red, green, blue, alpha (alpha is ignored).
    case rgba8
    /// One plane, 4 bytes per pixel: blue, green, red, alpha (alpha is ignored; CoreVideo/Windows default).
    case bgra8
    /// One plane, 1 byte per pixel, full range (0 black, 255 white): red = green = blue.
    case gray8
    /// Planar 4:2:0 ("I420", FFmpeg `yuv420p`): Y plane, then U (Cb) and V (Cr) planes at half width and half height.
    case i420
    /// Semi-planar 4:2:0 (FFmpeg `nv12`): Y plane, then one plane of interleaved U, V pairs at half width and half height.
    case nv12
    /// Planar 4:2:2 (FFmpeg `yuv422p`): Y, U, V planes; chroma at half width, full height.
    case i422
    /// Planar 4:4:4 (FFmpeg `yuv444p`): Y, U, V planes, all full size.
    case i444

    public var description: String { rawValue }

    /// Planes a frame of this format has (1 packed, 2 NV12, 3 planar).
    public var planeCount: Int {
        switch self {
        case .rgb8, .bgr8, .rgba8, .bgra8, .gray8: return 1
        case .nv12: return 2
        case .i420, .i422, .i444: return 3
        }
    }

    /// Bytes per pixel of the single plane of a packed format; `nil` for the YUV formats.
    public var bytesPerPixel: Int? {
        switch self {
        case .rgb8, .bgr8: return 3
        case .rgba8, .bgra8: return 4
        case .gray8: return 1
        case .i420, .nv12, .i422, .i444: return nil
        }
    }

    /// log2 of the chroma subsampling factor, horizontally and vertically (0 for non-YUV formats).
    var chromaShift: (x: Int, y: Int) {
        switch self {
        case .i420, .nv12: return (1, 1)
        case .i422: return (1, 0)
        case .i444, .rgb8, .bgr8, .rgba8, .bgra8, .gray8: return (0, 0)
        }
    }

    /// Bytes one row of plane `plane` holds, and how many rows it has, for a `width × height` frame.
    public func planeSize(_ plane: Int, width: Int, height: Int) -> (rowBytes: Int, rows: Int) {
        precondition((0..<planeCount).contains(plane), "\(self) has no plane \(plane)")
        if let bytesPerPixel { return (width * bytesPerPixel, height) }
        if plane == 0 { return (width, height) }
        let (shiftX, shiftY) = chromaShift
        let chromaWidth = (width + (1 << shiftX) - 1) >> shiftX
        let chromaHeight = (height + (1 << shiftY) - 1) >> shiftY
        return (self == .nv12 ? 2 * chromaWidth : chromaWidth, chromaHeight)
    }

    /// Bytes of a frame whose planes are stored one after another with packed rows.
    public func contiguousByteCount(width: Int, height: Int) -> Int {
        (0..<planeCount).reduce(0) { total, plane in
            let size = planeSize(plane, width: width, height: height)
            return total + size.rowBytes * size.rows
        }
    }
}
