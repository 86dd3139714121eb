import CLiteDetectVideoIO
import LiteDetect

/// Turns a shim failure into the `VideoError` a reader or writer throws.
enum VideoIOStatus {
    static func message(_ report: ldv_report) -> String {
        withUnsafeBytes(of: report.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// A reading failure of `source` at frame `frame` (frames handed out before it).
    static func readError(_ status: ldv_status, _ report: ldv_report, source: String, frame: Int, maxPixels: Int) -> VideoError {
        let text = message(report)
        switch status {
        case LDV_NOT_MEDIA, LDV_NO_VIDEO_STREAM: return .notVideo(source: source, reason: text)
        case LDV_UNSUPPORTED, LDV_INVALID_ARGUMENT: return .unsupportedVideo(source: source, reason: text)
        case LDV_TOO_LARGE: return .tooLarge(source: source, width: Int(report.width), height: Int(report.height), maxPixels: maxPixels)
        case LDV_IO, LDV_OUT_OF_MEMORY: return .readFailed(source: source, reason: text)
        default: return .damagedVideo(source: source, frame: frame, reason: text)
        }
    }

    static func writeError(_ status: ldv_status, _ report: ldv_report, destination: String) -> VideoError {
        let text = message(report)
        switch status {
        case LDV_UNSUPPORTED: return .unsupportedVideo(source: destination, reason: text)
        case LDV_IO, LDV_OUT_OF_MEMORY: return .writeFailed(destination: destination, reason: text)
        default: return .encodingFailed(destination: destination, reason: text)
        }
    }

    /// A fixed-size C name field as a String.
    static func name<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
