extension PixelFrame {
    /// Copies the planes, in order, with their rows packed (no row padding): the `VideoFrame`,
    /// Y4M and FFmpeg `rawvideo` layout. `destination` must hold exactly
    /// `format.contiguousByteCount(width:height:)` bytes.
    package func copyPacked(into destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count == format.contiguousByteCount(width: width, height: height), "packed frame buffer of the wrong size")
        var offset = 0
        for index in 0..<format.planeCount {
            let plane = plane(index)
            let (rowBytes, rows) = format.planeSize(index, width: width, height: height)
            for row in 0..<rows {
                let start = row * plane.bytesPerRow
                UnsafeMutableRawBufferPointer(rebasing: destination[offset..<(offset + rowBytes)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: plane.bytes[start..<(start + rowBytes)]))
                offset += rowBytes
            }
        }
    }
}
