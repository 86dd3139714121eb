import CFuzzerDriver
import Foundation
import LiteDetectServer
import NIOCore

/// Fuzz target: `detect serve`'s multipart/form-data parser on arbitrary bodies (the boundary is
/// fixed, as the Content-Type header would give it) must split them or refuse them with a 400;
/// it must never trap. The parts it finds must lie inside the body, in order, without overlap.
func fuzzMultipartForm(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: start, count: count))
    do {
        let parts = try MultipartForm(body, boundary: "b0undary").parts
        var end = 0
        for part in parts {
            precondition(part.content.lowerBound >= end && part.content.upperBound <= body.count, "part outside the body")
            end = part.content.upperBound
        }
    } catch {
        precondition(error.status == .badRequest, "\(error)")
    }
    // The whole request path, as the DeepStack route reads a form.
    _ = try? RequestBody(ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=b0undary", requireImageField: true)
    return 0
}

@main
enum FuzzMultipartFormMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzMultipartForm))
    }
}
