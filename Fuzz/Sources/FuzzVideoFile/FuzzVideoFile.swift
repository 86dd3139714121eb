import CFuzzerDriver
import LiteDetect
import LiteDetectVideo

#if canImport(Glibc)
import Glibc
#endif

/// One temporary file, rewritten for every input: `VideoFileReader` reads regular files by path.
nonisolated(unsafe) private var scratch: (path: String, descriptor: Int32) = {
    var template = Array("/tmp/litedetect-video-fuzz-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    precondition(descriptor >= 0, "mkstemp failed")
    return (String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self), descriptor)
}()

/// Fuzz target: arbitrary bytes as a video file, demuxed and decoded by FFmpeg through
/// `VideoFileReader`, every frame converted to RGB, must end in a `VideoError` or a clean end;
/// never a trap, hang or out-of-bounds access. The pixel limit is small so a lying header
/// cannot allocate much. (FFmpeg itself is not instrumented: coverage guidance stops at its
/// boundary, and ASan sees its memory only through the functions it intercepts.)
func fuzzVideoFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    precondition(ftruncate(scratch.descriptor, 0) == 0, "scratch truncate failed")
    if count > 0 { precondition(pwrite(scratch.descriptor, start, count, 0) == count, "scratch write failed") }
    do {
        let reader = try VideoFileReader(path: scratch.path, options: .init(maxPixels: 1 << 18))
        var image = RGBImage(width: 1, height: 1)
        // At most 64 frames: enough to reach the decoders' paths, bounded in time.
        while reader.framesRead < 64,
            try reader.withNextFrame({ frame, _ in
                if image.width != frame.width || image.height != frame.height { image = RGBImage(width: frame.width, height: frame.height) }
                try frame.convert(into: &image)
            })
        {}
    } catch {
        // A VideoError is the expected outcome for malformed input.
    }
    return 0
}

@main
enum FuzzVideoFileMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzVideoFile))
    }
}
