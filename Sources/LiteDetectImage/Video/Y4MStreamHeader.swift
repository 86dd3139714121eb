/// The stream header of a YUV4MPEG2 (`.y4m`) file: the line `YUV4MPEG2 W… H… F… I… A… C… X…`.
///
/// `W`idth and `H`eight are required; the rest is optional. Unknown and `X` parameters are kept
/// verbatim in `extensions` (FFmpeg writes e.g. `XYSCSS=420JPEG`). Reference: the yuv4mpeg(5)
/// manual of mjpegtools, and FFmpeg's `yuv4mpegpipe` muxer and demuxer.
public struct Y4MStreamHeader: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// Frames per second as `numerator / denominator` (`F30000:1001`); `nil` when absent or `F0:0`.
    public var frameRate: VideoRatio?
    public var interlacing: Y4MInterlacing
    /// Pixel (not picture) aspect ratio (`A1:1`, `A128:117`); `nil` when absent or `A0:0` (unknown).
    public var pixelAspectRatio: VideoRatio?
    /// `C…`; `C420jpeg` when absent, as the format specifies.
    public var colorSpace: Y4MColorSpace
    /// `X` parameters and parameters this reader does not know, verbatim, in order.
    public var extensions: [String]

    /// The signature every stream starts with (followed by a space).
    public static let signature = "YUV4MPEG2"

    public init(
        width: Int, height: Int, frameRate: VideoRatio? = nil, interlacing: Y4MInterlacing = .progressive,
        pixelAspectRatio: VideoRatio? = nil, colorSpace: Y4MColorSpace = .c420jpeg, extensions: [String] = []
    ) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.interlacing = interlacing
        self.pixelAspectRatio = pixelAspectRatio
        self.colorSpace = colorSpace
        self.extensions = extensions
    }

    /// The pixel layout of the frames.
    public var pixelFormat: PixelFormat { colorSpace.pixelFormat }

    /// Bytes of one frame's pixels (after its `FRAME` line).
    public var frameByteCount: Int { pixelFormat.contiguousByteCount(width: width, height: height) }

    /// When frame `index` is shown, from the start of the stream; `nil` without a frame rate.
    public func timestamp(ofFrame index: Int) -> Duration? {
        guard let rate = frameRate else { return nil }
        return VideoRatio(numerator: rate.denominator, denominator: rate.numerator).duration(ofTicks: Int64(index))
    }

    /// The header line, without its newline, fields in FFmpeg's order: `YUV4MPEG2 W384 H288 F25:1 Ip A1:1 C420jpeg`.
    public var line: String {
        var fields = [Self.signature, "W\(width)", "H\(height)"]
        if let frameRate { fields.append("F\(frameRate)") }
        fields.append("I\(interlacing.rawValue)")
        fields.append("A\(pixelAspectRatio?.description ?? "0:0")")  // FFmpeg always writes it; 0:0 is "unknown"
        fields.append("C\(colorSpace.rawValue)")
        return (fields + extensions).joined(separator: " ")
    }

    /// Parses a header line (without its newline). `source` names the stream in errors.
    public static func parse(_ line: some Collection<UInt8>, source: String) throws(VideoError) -> Y4MStreamHeader {
        func malformed(_ detail: String) -> VideoError { .malformedHeader(source: source, detail: detail) }
        guard line.starts(with: (signature + " ").utf8) || line.elementsEqual(signature.utf8) else {
            throw .notY4M(source: source, leadingBytes: Array(line.prefix(16)))
        }
        guard let text = String(validating: line, as: UTF8.self) else { throw malformed("the header line is not text") }
        var width: Int?, height: Int?
        var header = Y4MStreamHeader(width: 0, height: 0)
        for token in text.split(separator: " ", omittingEmptySubsequences: true).dropFirst() {
            let value = token.dropFirst()
            switch token.first {
            case "W": width = try positiveInteger(value, field: "W (width)", source: source)
            case "H": height = try positiveInteger(value, field: "H (height)", source: source)
            case "F": header.frameRate = try ratio(value, field: "F (frame rate)", source: source)
            case "A": header.pixelAspectRatio = try ratio(value, field: "A (pixel aspect)", source: source)
            case "I":
                guard let interlacing = Y4MInterlacing(rawValue: String(value)) else {
                    throw malformed("I\(value): interlacing must be one of p, t, b, m, ?")
                }
                header.interlacing = interlacing
            case "C":
                header.colorSpace = try Y4MColorSpace(name: String(value), source: source)
            default:
                header.extensions.append(String(token))
            }
        }
        guard let width else { throw malformed("no W (width) field") }
        guard let height else { throw malformed("no H (height) field") }
        header.width = width
        header.height = height
        return header
    }

    private static func positiveInteger(_ text: Substring, field: String, source: String) throws(VideoError) -> Int {
        // Bounded so that sizes computed from it can never overflow (the pixel limit comes later).
        guard text.allSatisfy(\.isASCII), let value = Int(text), (1...(1 << 20)).contains(value) else {
            throw .malformedHeader(source: source, detail: "\(field) is '\(text)', expected an integer in 1…1048576")
        }
        return value
    }

    /// `n:d`; `0:0` means unknown (`nil`).
    private static func ratio(_ text: Substring, field: String, source: String) throws(VideoError) -> VideoRatio? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let numerator = Int(parts[0]), let denominator = Int(parts[1]),
            (0...Int(Int32.max)).contains(numerator), (0...Int(Int32.max)).contains(denominator)
        else {
            throw .malformedHeader(source: source, detail: "\(field) is '\(text)', expected two non-negative integers as n:d")
        }
        if numerator == 0 && denominator == 0 { return nil }
        guard numerator > 0, denominator > 0 else {
            throw .malformedHeader(source: source, detail: "\(field) is '\(text)': both terms must be positive (0:0 means unknown)")
        }
        return VideoRatio(numerator: numerator, denominator: denominator)
    }
}

/// How the frames of a Y4M stream were scanned (`I` parameter).
public enum Y4MInterlacing: String, Sendable, Hashable {
    case progressive = "p"
    case topFieldFirst = "t"
    case bottomFieldFirst = "b"
    /// Per frame: see each frame's `I` parameter.
    case mixed = "m"
    case unknown = "?"
}

/// The sample layout of a Y4M stream (`C` parameter). Only 8-bit layouts are supported.
public enum Y4MColorSpace: String, Sendable, Hashable, CaseIterable {
    /// 4:2:0, chroma centred between luma samples (JPEG/MPEG-1 siting; FFmpeg's default).
    case c420jpeg = "420jpeg"
    /// 4:2:0, chroma co-sited horizontally with luma (MPEG-2).
    case c420mpeg2 = "420mpeg2"
    /// 4:2:0, PAL DV siting (U and V on alternating lines).
    case c420paldv = "420paldv"
    /// 4:2:0, siting unspecified.
    case c420 = "420"
    case c422 = "422"
    case c444 = "444"
    /// Luma only, read as 8-bit gray (as FFmpeg reads it).
    case mono

    /// Every 4:2:0 siting gives the same planes; the siting is not modelled (chroma is replicated).
    public var pixelFormat: PixelFormat {
        switch self {
        case .c420jpeg, .c420mpeg2, .c420paldv, .c420: return .i420
        case .c422: return .i422
        case .c444: return .i444
        case .mono: return .gray8
        }
    }

    init(name: String, source: String) throws(VideoError) {
        guard let known = Y4MColorSpace(rawValue: name) else {
            throw .unsupportedColorSpace(source: source, name: name, supported: Self.allCases.map(\.rawValue))
        }
        self = known
    }
}
