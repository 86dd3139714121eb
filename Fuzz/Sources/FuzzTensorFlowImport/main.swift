import CFuzzerDriver
import Foundation
import LiteDetectImport

/// Fuzz target: `detect import` of arbitrary bytes as a TensorFlow frozen graph must return a
/// model or throw an `ImportError`; it must never trap, hang or allocate what a length field claims.
func fuzzTensorFlowImport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(buffer: UnsafeBufferPointer(start: start, count: count))
    _ = try? TensorFlowSSDImporter.importGraph(
        data, named: "fuzz.pb", options: ImportOptions(name: "fuzz", labels: ["background", "thing"], weightsPath: "fuzz.safetensors"))
    return 0
}

@main
enum FuzzTensorFlowImportMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzTensorFlowImport))
    }
}
