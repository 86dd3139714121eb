/// A borrowed view of one frame's pixels in any `PixelFormat`: no copy is made, so the view is
/// valid only while the memory it points to is (typically inside a `withUnsafeBytes` closure or
/// a decoder's frame callback). Owned frames are `VideoFrame` and `RGBImage`.
///
/// Creating one checks everything a reader will rely on (plane count, row strides, that every
/// plane's buffer covers all its rows) and allocates nothing, so it fits a per-frame loop.
public struct PixelFrame {
    public let format: PixelFormat
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    // Three stored planes instead of an array: building a frame must not allocate.
    private let first: PixelPlane
    private let second: PixelPlane?
    private let third: PixelPlane?

    /// A frame from its planes, in the format's order: the single plane of a packed format;
    /// Y then interleaved UV for `.nv12`; Y, U, V for the planar formats.
    public init(
        format: PixelFormat, width: Int, height: Int, planes first: PixelPlane, _ second: PixelPlane? = nil, _ third: PixelPlane? = nil
    ) throws(VideoError) {
        func invalid(_ problem: String) -> VideoError { .invalidFrame(format: format, width: width, height: height, problem: problem) }
        // Sides are bounded so that no size or offset computed from them can overflow.
        guard (1...(1 << 20)).contains(width), (1...(1 << 20)).contains(height) else { throw invalid("sides must be in 1…1048576") }
        let given = second == nil ? 1 : third == nil ? 2 : 3
        guard given == format.planeCount, !(second == nil && third != nil) else {
            throw invalid("needs \(format.planeCount) plane(s), got \(second == nil && third != nil ? "a third without a second" : "\(given)")")
        }
        // Checked one by one rather than through an array: building a frame must not allocate.
        try Self.check(first, index: 0, format: format, width: width, height: height)
        if let second { try Self.check(second, index: 1, format: format, width: width, height: height) }
        if let third { try Self.check(third, index: 2, format: format, width: width, height: height) }
        self.format = format
        self.width = width
        self.height = height
        self.first = first
        self.second = second
        self.third = third
    }

    /// A frame whose planes lie one after another in `bytes` with packed rows (the Y4M and
    /// FFmpeg `rawvideo` layout), or a packed-format frame whose rows are `bytesPerRow` apart.
    /// `bytesPerRow` is only accepted for the one-plane formats.
    public init(format: PixelFormat, width: Int, height: Int, bytes: UnsafeRawBufferPointer, bytesPerRow: Int? = nil) throws(VideoError) {
        guard (1...(1 << 20)).contains(width), (1...(1 << 20)).contains(height) else {
            throw .invalidFrame(format: format, width: width, height: height, problem: "sides must be in 1…1048576")
        }
        if format.planeCount == 1 {
            let stride = bytesPerRow ?? format.planeSize(0, width: width, height: height).rowBytes
            try self.init(format: format, width: width, height: height, planes: PixelPlane(bytes: bytes, bytesPerRow: stride))
            return
        }
        guard bytesPerRow == nil else {
            throw .invalidFrame(
                format: format, width: width, height: height, problem: "a contiguous YUV frame has packed rows; give planes to use strides")
        }
        guard bytes.count >= format.contiguousByteCount(width: width, height: height) else {
            throw .invalidFrame(
                format: format, width: width, height: height,
                problem: "buffer holds \(bytes.count) bytes, a contiguous frame needs \(format.contiguousByteCount(width: width, height: height))")
        }
        var offset = 0
        func nextPlane(_ index: Int) -> PixelPlane {
            let (rowBytes, rows) = format.planeSize(index, width: width, height: height)
            defer { offset += rowBytes * rows }
            return PixelPlane(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + rowBytes * rows)]), bytesPerRow: rowBytes)
        }
        let y = nextPlane(0), second = nextPlane(1)
        let third = format.planeCount == 3 ? nextPlane(2) : nil
        try self.init(format: format, width: width, height: height, planes: y, second, third)
    }

    /// Throws unless `plane` can hold plane `index` of a `width × height` frame.
    private static func check(_ plane: PixelPlane, index: Int, format: PixelFormat, width: Int, height: Int) throws(VideoError) {
        func invalid(_ problem: String) -> VideoError { .invalidFrame(format: format, width: width, height: height, problem: problem) }
        let (rowBytes, rows) = format.planeSize(index, width: width, height: height)
        guard plane.bytes.baseAddress != nil else { throw invalid("plane \(index) has no memory") }
        guard plane.bytesPerRow >= rowBytes else {
            throw invalid("plane \(index) has \(plane.bytesPerRow) bytes per row, less than the \(rowBytes) a row needs")
        }
        let (span, overflow) = (rows - 1).multipliedReportingOverflow(by: plane.bytesPerRow)
        guard !overflow, plane.bytes.count >= span + rowBytes else {
            throw invalid("plane \(index) holds \(plane.bytes.count) bytes, less than the \(rows) rows of \(plane.bytesPerRow) bytes it needs")
        }
    }

    /// Plane `index` (0 ..< `format.planeCount`).
    public func plane(_ index: Int) -> PixelPlane {
        switch index {
        case 0: return first
        case 1: if let second { return second }
        case 2: if let third { return third }
        default: break
        }
        preconditionFailure("\(format) frame has no plane \(index)")
    }
}
