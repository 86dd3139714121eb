/// The encoded image formats LiteDetect reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"

    /// Identifies the format from the first bytes of the data (never from a file name).
    /// JPEG starts with SOI followed by a marker (`FF D8 FF`); PNG with its 8-byte signature.
    public static func detect<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat? where Bytes.Element == UInt8 {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    public var description: String { rawValue }
}
