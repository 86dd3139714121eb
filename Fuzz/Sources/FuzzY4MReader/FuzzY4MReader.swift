import CFuzzerDriver
import LiteDetect

#if canImport(Glibc)
import Glibc
#endif

/// One unlinked temporary file, rewritten for every input: the reader gets a real descriptor,
/// as for a file or a pipe, without a new file per execution (Glibc's module has no `memfd_create`).
nonisolated(unsafe) private var scratchDescriptor: Int32 = {
    var template = Array("/tmp/litedetect-y4m-fuzz-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    precondition(descriptor >= 0, "mkstemp failed")
    unlink(template)
    return descriptor
}()

/// Fuzz target: a YUV4MPEG2 stream of arbitrary bytes, read frame by frame from a descriptor
/// and converted to RGB, must end in a `VideoError` or a clean end of stream; never a trap, hang
/// or out-of-bounds access. The pixel limit is small so a lying header cannot allocate much.
func fuzzY4MReader(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let descriptor = scratchDescriptor
    precondition(ftruncate(descriptor, 0) == 0, "scratch truncate failed")
    if count > 0 { precondition(pwrite(descriptor, start, count, 0) == count, "scratch write failed") }
    lseek(descriptor, 0, SEEK_SET)
    do {
        let reader = try Y4MReader(fileDescriptor: descriptor, name: "fuzz", closesDescriptor: false, maxPixels: 1 << 16)
        var frame = reader.makeFrame()
        var image = RGBImage(width: reader.header.width, height: reader.header.height)
        // At most 64 frames: enough to reach every frame-header path, bounded in time.
        while reader.framesRead < 64, try reader.readFrame(into: &frame) {
            try frame.withPixelFrame { (pixels) throws(VideoError) in try pixels.convert(into: &image) }
        }
    } catch {
        // A typed VideoError is the expected outcome for malformed input.
    }
    return 0
}

@main
enum FuzzY4MReaderMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzY4MReader))
    }
}
