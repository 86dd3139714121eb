/// One plane of a frame: borrowed bytes and the distance between the starts of its rows.
///
/// Row `r` starts at `bytes.baseAddress + r * bytesPerRow`; bytes past a row's last pixel (row
/// padding, as decoders and cameras often add for alignment) are never read.
public struct PixelPlane {
    public let bytes: UnsafeRawBufferPointer
    public let bytesPerRow: Int

    public init(bytes: UnsafeRawBufferPointer, bytesPerRow: Int) {
        self.bytes = bytes
        self.bytesPerRow = bytesPerRow
    }
}
