/// Limits and policies for decoding.
public struct ImageDecodingOptions: Sendable, Equatable {
    /// Largest accepted `width * height`; checked against the header before any pixel memory
    /// is allocated. Default 100 megapixels (300 MB of RGB); a larger value is capped at
    /// `ImageDecodingOptions.pixelCeiling`.
    public var maxPixels: Int
    /// Whether a JPEG's EXIF orientation tag is applied, so the image comes out upright.
    public var appliesExifOrientation: Bool
    /// What to do with a JPEG whose data ends mid-image. libjpeg still "decodes" it, painting the
    /// missing part gray; by default that is refused with `ImageError.truncated` (as Pillow refuses
    /// it unless told `LOAD_TRUNCATED_IMAGES`). When true, the padded image is returned and
    /// `DecodedImage.isTruncated` and `warnings` say so. A truncated PNG is always an error.
    public var acceptsTruncatedJPEG: Bool
    /// Largest file `ImageFile.load` reads, checked against the file's size before reading and
    /// again while reading (a file can grow). Default 1 GiB, far above any image of `maxPixels`.
    public var maxFileBytes: Int

    /// The most pixels any image is decoded with, whatever `maxPixels` says: 2³⁰ (3 GiB of RGB),
    /// so that no setting lets a header's claim allocate without bound.
    public static let pixelCeiling = 1 << 30

    public init(
        maxPixels: Int = 100_000_000, appliesExifOrientation: Bool = true, acceptsTruncatedJPEG: Bool = false,
        maxFileBytes: Int = 1 << 30
    ) {
        self.maxPixels = maxPixels
        self.appliesExifOrientation = appliesExifOrientation
        self.acceptsTruncatedJPEG = acceptsTruncatedJPEG
        self.maxFileBytes = maxFileBytes
    }
}

/// A decoded image and what the decoder noticed on the way.
public struct DecodedImage: Sendable, Equatable {
    /// The pixels, upright if the orientation was applied.
    public var image: RGBImage
    /// The format found from the magic bytes.
    public var format: ImageFormat
    /// The EXIF orientation found in a JPEG's APP1 segment (`.up` when none, and for PNG, whose
    /// rarely used eXIf chunk is not read), whether applied or not.
    public var orientation: ExifOrientation
    /// True when the data ended early and part of the image is decoder padding.
    public var isTruncated: Bool
    /// Decoder warnings, e.g. libjpeg's "Corrupt JPEG data: …" (the image may be damaged).
    public var warnings: [String]
}

/// Decodes JPEG and PNG data into `RGBImage`s.
///
/// Every variant comes out as 8-bit RGB: gray is replicated, CMYK/YCCK JPEGs are taken as
/// Adobe-inverted (see `ldio_jpeg_decode_rgb8`), palettes are expanded, 16-bit samples keep
/// their high byte, and alpha is dropped rather than composited, as Pillow's `convert("RGB")`
/// does, so images match what Python preprocessing pipelines feed their networks.
public enum ImageDecoder {
    /// Decodes `bytes`, choosing the format from the magic bytes.
    /// - Parameter source: names the data in errors (a path, or e.g. "frame 12").
    public static func decode(
        _ bytes: [UInt8], source: String = "<memory>", options: ImageDecodingOptions = ImageDecodingOptions()
    ) throws(ImageError) -> DecodedImage {
        guard !bytes.isEmpty else { throw .empty(source: source) }
        guard let format = ImageFormat.detect(bytes) else {
            throw .unknownFormat(source: source, leadingBytes: Array(bytes.prefix(8)))
        }
        // Array's withUnsafe… methods rethrow untyped errors, so results travel as a Result.
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(ImageError) in try decodePixels(raw, format: format, source: source, maxPixels: options.maxPixels) }
        }
        let (image, report) = try decoded.get()
        if report.dataTruncated && !options.acceptsTruncatedJPEG {
            throw .truncated(source: source, format: format, detail: report.warnings.first ?? "data ends early")
        }
        let orientation = format == .jpeg ? (ExifOrientation.fromJPEG(bytes) ?? .up) : .up
        return DecodedImage(
            image: options.appliesExifOrientation ? image.applying(orientation) : image,
            format: format,
            orientation: orientation,
            isTruncated: report.dataTruncated,
            warnings: report.warnings)
    }

    /// Header, size check, allocation, decode: the part that needs the raw bytes.
    private static func decodePixels(
        _ raw: UnsafeRawBufferPointer, format: ImageFormat, source: String, maxPixels: Int
    ) throws(ImageError) -> (RGBImage, NativeCodec.Report) {
        let header = try NativeCodec.readHeader(raw, format: format, source: source)
        guard header.width > 0, header.height > 0 else {
            throw .corrupt(source: source, format: format, detail: "header gives size \(header.width)x\(header.height)")
        }
        let limit = min(maxPixels, ImageDecodingOptions.pixelCeiling)
        guard header.width <= limit, header.height <= limit, header.width * header.height <= limit else {
            throw .tooLarge(source: source, width: header.width, height: header.height, maxPixels: limit)
        }
        let bytesPerRow = header.width * RGBImage.bytesPerPixel
        var pixels = [UInt8](repeating: 0, count: bytesPerRow * header.height)
        let report = pixels.withUnsafeMutableBufferPointer { target in
            Result { () throws(ImageError) in
                try NativeCodec.decode(
                    raw, format: format, source: source, into: target,
                    width: header.width, height: header.height, bytesPerRow: bytesPerRow)
            }
        }
        return (RGBImage(width: header.width, height: header.height, pixels: pixels)!, try report.get())
    }
}
