extension RGBImage {
    /// Writes this image as planar YUV 4:2:0 (I420, BT.601 limited range, see `BT601`) into
    /// `planes`: the Y plane (`width × height`), then U and V (`(width+1)/2 × (height+1)/2`
    /// each), rows packed — the Y4M `C420` layout. Each chroma sample is computed from the mean
    /// colour of the (up to) 2×2 pixels it covers. `planes` must hold
    /// `PixelFormat.i420.contiguousByteCount(width:height:)` bytes. Allocates nothing.
    public func writeI420(into planes: UnsafeMutableRawBufferPointer) throws(VideoError) {
        let needed = PixelFormat.i420.contiguousByteCount(width: width, height: height)
        guard planes.count == needed, let base = planes.baseAddress else {
            throw .frameSizeMismatch(expected: "\(needed) bytes of I420 for \(width)x\(height)", actual: "\(planes.count) bytes")
        }
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        let luma = base.assumingMemoryBound(to: UInt8.self)
        let uPlane = luma + width * height
        let vPlane = uPlane + chromaWidth * chromaHeight
        pixels.withUnsafeBufferPointer { buffer in
            let source = buffer.baseAddress!
            for y in 0..<height {
                let row = source + y * bytesPerRow
                let out = luma + y * width
                for x in 0..<width {
                    out[x] = BT601.luma(red: row[3 * x], green: row[3 * x + 1], blue: row[3 * x + 2])
                }
            }
            for cy in 0..<chromaHeight {
                let top = source + 2 * cy * bytesPerRow
                // A last odd row or column is counted twice so that every block weighs four pixels.
                let bottom = 2 * cy + 1 < height ? top + bytesPerRow : top
                for cx in 0..<chromaWidth {
                    let left = 6 * cx
                    let right = 2 * cx + 1 < width ? left + 3 : left
                    func sum(_ channel: Int) -> Int32 {
                        Int32(top[left + channel]) + Int32(top[right + channel]) + Int32(bottom[left + channel]) + Int32(bottom[right + channel])
                    }
                    let (u, v) = BT601.chroma(redSum: sum(0), greenSum: sum(1), blueSum: sum(2))
                    uPlane[cy * chromaWidth + cx] = u
                    vPlane[cy * chromaWidth + cx] = v
                }
            }
        }
    }
}
