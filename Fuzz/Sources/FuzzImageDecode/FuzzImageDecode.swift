import CFuzzerDriver
import Foundation
import LiteDetect

/// Fuzz target: the JPEG/PNG decode path (magic bytes, header, pixel limit, libjpeg-turbo or
/// libpng through the C shim, EXIF orientation) on arbitrary bytes must throw an `ImageError` or
/// return an image; it must never trap, leak, or touch memory it does not own (ASan checks).
///
/// The pixel limit is small so that a lying header cannot make one input take seconds; the
/// length's parity toggles `acceptsTruncatedJPEG`, so both truncation paths are explored.
func fuzzImageDecode(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let options = ImageDecodingOptions(maxPixels: 1 << 18, acceptsTruncatedJPEG: count % 2 == 1)
    if let decoded = try? ImageDecoder.decode(bytes, source: "fuzz", options: options) {
        // What callers rely on: the buffer holds every row, and the limit held.
        precondition(decoded.image.pixels.count >= decoded.image.height * decoded.image.bytesPerRow)
        precondition(decoded.image.width * decoded.image.height <= options.maxPixels)
    }
    return 0
}

@main
enum FuzzImageDecodeMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzImageDecode))
    }
}
