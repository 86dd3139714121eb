/// The EXIF orientation tag (0x0112 in IFD0): how the stored pixels must be
/// transformed to show the picture upright. Names follow Apple's
/// `CGImagePropertyOrientation`; raw values are the tag values 1...8.
///
/// Below, the stored image is `w × h` and `D(x, y) = S(sx, sy)` says which stored
/// pixel lands at display position (x, y).
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: already upright. `D(x, y) = S(x, y)`.
    case up = 1
    /// 2: mirrored left-right. `D(x, y) = S(w-1-x, y)`.
    case upMirrored = 2
    /// 3: rotated 180°. `D(x, y) = S(w-1-x, h-1-y)`.
    case down = 3
    /// 4: mirrored top-bottom. `D(x, y) = S(x, h-1-y)`.
    case downMirrored = 4
    /// 5: transposed (mirror across the main diagonal); display is `h × w`. `D(x, y) = S(y, x)`.
    case leftMirrored = 5
    /// 6: stored rotated 90° counter-clockwise; displayed by rotating 90° clockwise. `D(x, y) = S(y, h-1-x)`.
    case right = 6
    /// 7: transversed (mirror across the anti-diagonal). `D(x, y) = S(w-1-y, h-1-x)`.
    case rightMirrored = 7
    /// 8: stored rotated 90° clockwise; displayed by rotating 90° counter-clockwise. `D(x, y) = S(w-1-y, x)`.
    case left = 8

    /// Whether width and height trade places on display.
    public var swapsWidthAndHeight: Bool { rawValue >= 5 }
}

extension ExifOrientation {
    /// Finds the orientation in a JPEG's first Exif APP1 segment (`FF E1`, "Exif\0\0", TIFF header,
    /// IFD0, tag 0x0112 of type SHORT). Returns nil when the data is not a JPEG, has no Exif
    /// segment or no orientation tag, or the tag is malformed or outside 1...8.
    /// Only the markers before the first scan (SOS) are read; every offset is bounds-checked.
    public static func fromJPEG<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> ExifOrientation?
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var reader = JPEGMarkerReader(bytes: bytes)
        while let segment = reader.nextSegment() {
            let payload = segment.payload
            let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]  // "Exif\0\0"
            guard segment.marker == 0xE1, payload.count > exifHeader.count,
                payload.starts(with: exifHeader)
            else { continue }
            let tiff = payload.dropFirst(exifHeader.count)
            return orientation(inTIFF: Array(tiff))
        }
        return nil
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF structure (`tiff[0]` is the byte-order mark).
    static func orientation(inTIFF tiff: [UInt8]) -> ExifOrientation? {
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): bigEndian = false  // "II", Intel
        case (0x4D, 0x4D): bigEndian = true  // "MM", Motorola
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let (a, b) = (Int(tiff[at]), Int(tiff[at + 1]))
            return bigEndian ? a << 8 | b : b << 8 | a
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(bigEndian ? at : at + 2), let low = u16(bigEndian ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd0 = u32(4), let entryCount = u16(ifd0) else { return nil }
        let entrySize = 12
        for entry in 0..<entryCount {
            let at = ifd0 + 2 + entry * entrySize
            guard let tag = u16(at) else { return nil }
            guard tag == 0x0112 else { continue }
            let typeShort = 3
            guard u16(at + 2) == typeShort, u32(at + 4) == 1, let value = u16(at + 8) else { return nil }
            return ExifOrientation(rawValue: value)
        }
        return nil
    }
}

/// Walks the marker segments of a JPEG header up to the first scan.
private struct JPEGMarkerReader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
    struct Segment {
        /// The byte after 0xFF (0xE1 for APP1).
        var marker: UInt8
        /// The segment contents after the 2-byte length.
        var payload: Bytes.SubSequence
    }

    let bytes: Bytes
    private var position: Int

    init(bytes: Bytes) {
        self.bytes = bytes
        let startsWithSOI = bytes.count >= 2 && bytes[bytes.startIndex] == 0xFF && bytes[bytes.startIndex + 1] == 0xD8
        position = startsWithSOI ? bytes.startIndex + 2 : bytes.endIndex
    }

    mutating func nextSegment() -> Segment? {
        while position < bytes.endIndex {
            guard bytes[position] == 0xFF else { return nil }
            // Any number of 0xFF fill bytes may precede a marker.
            while position < bytes.endIndex && bytes[position] == 0xFF { position += 1 }
            guard position < bytes.endIndex else { return nil }
            let marker = bytes[position]
            position += 1
            let startOfScan: UInt8 = 0xDA, endOfImage: UInt8 = 0xD9
            if marker == startOfScan || marker == endOfImage { return nil }
            // TEM and RSTn stand alone, without a length.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            guard position + 2 <= bytes.endIndex else { return nil }
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            guard length >= 2, position + length <= bytes.endIndex else { return nil }
            let payload = bytes[(position + 2)..<(position + length)]
            position += length
            return Segment(marker: marker, payload: payload)
        }
        return nil
    }
}
