import CLiteDetectImageIO

/// Swift face of the C shim: turns `ldio_status` + `ldio_report` into `ImageError`s.
/// Internal: callers use `ImageDecoder` and `ImageEncoder`.
enum NativeCodec {
    /// What a header says before any pixel is decoded.
    struct Header {
        var width: Int
        var height: Int
    }

    /// The messages of one shim call, as Swift strings.
    struct Report {
        var message: String
        var warnings: [String]
        var dataTruncated: Bool

        init(_ report: ldio_report) {
            var copy = report
            message = withUnsafeBytes(of: &copy.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let firstWarning = withUnsafeBytes(of: &copy.first_warning) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            let warningCount = Int(report.warning_count)
            switch warningCount {
            case 0: warnings = []
            case 1: warnings = [firstWarning]
            default: warnings = [firstWarning, "\(warningCount - 1) more warning(s) from the decoder"]
            }
            dataTruncated = report.data_truncated != 0
        }
    }

    static func readHeader(_ bytes: UnsafeRawBufferPointer, format: ImageFormat, source: String) throws(ImageError) -> Header {
        var info = ldio_image_info()
        var report = ldio_report()
        let data = bytes.bindMemory(to: UInt8.self)
        let status: ldio_status
        switch format {
        case .jpeg: status = ldio_jpeg_read_header(data.baseAddress, data.count, &info, &report)
        case .png: status = ldio_png_read_header(data.baseAddress, data.count, &info, &report)
        }
        try check(status, Report(report), format: format, source: source)
        return Header(width: Int(info.width), height: Int(info.height))
    }

    /// Decodes into `pixels` (`height * bytesPerRow` bytes, already allocated).
    static func decode(
        _ bytes: UnsafeRawBufferPointer, format: ImageFormat, source: String,
        into pixels: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, bytesPerRow: Int
    ) throws(ImageError) -> Report {
        var report = ldio_report()
        let data = bytes.bindMemory(to: UInt8.self)
        let status: ldio_status
        switch format {
        case .jpeg:
            status = ldio_jpeg_decode_rgb8(
                data.baseAddress, data.count, pixels.baseAddress, bytesPerRow, Int32(width), Int32(height), &report)
        case .png:
            status = ldio_png_decode_rgb8(
                data.baseAddress, data.count, pixels.baseAddress, bytesPerRow, Int32(width), Int32(height), &report)
        }
        let swiftReport = Report(report)
        try check(status, swiftReport, format: format, source: source)
        return swiftReport
    }

    /// Encodes packed or padded RGB8 pixels.
    static func encode(_ image: RGBImage, as encoding: ImageEncoding) throws(ImageError) -> [UInt8] {
        guard image.width <= Int(Int32.max), image.height <= Int(Int32.max) else {
            throw .encodingFailed(format: encoding.format, detail: "image \(image.width)x\(image.height) is too large")
        }
        var buffer = ldio_buffer()
        var report = ldio_report()
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            switch encoding {
            case .png:
                return ldio_png_encode_rgb8(
                    pixels.baseAddress, image.bytesPerRow, Int32(image.width), Int32(image.height), &buffer, &report)
            case .jpeg(let quality):
                return ldio_jpeg_encode_rgb8(
                    pixels.baseAddress, image.bytesPerRow, Int32(image.width), Int32(image.height),
                    Int32(clamping: quality), &buffer, &report)
            }
        }
        defer { ldio_buffer_free(&buffer) }
        guard status == LDIO_OK, let data = buffer.data else {
            throw .encodingFailed(format: encoding.format, detail: Report(report).message)
        }
        return Array(UnsafeBufferPointer(start: data, count: buffer.size))
    }

    private static func check(_ status: ldio_status, _ report: Report, format: ImageFormat, source: String) throws(ImageError) {
        switch status {
        case LDIO_OK: return
        case LDIO_TRUNCATED: throw .truncated(source: source, format: format, detail: report.message)
        case LDIO_UNSUPPORTED: throw .unsupported(source: source, format: format, detail: report.message)
        case LDIO_OUT_OF_MEMORY: throw .outOfMemory(source: source, detail: report.message)
        default: throw .corrupt(source: source, format: format, detail: report.message)
        }
    }
}
