import CFuzzerDriver
import Foundation
import LiteDetectImport

/// Fuzz target: `ONNXImporter` on arbitrary bytes, against the `ssdlite320-mobilenetv3-small`
/// config, must return a model or throw an `ImportError`: protobuf decoding, tensor sizes, every
/// node's attributes and shape arithmetic, the pairing with LiteDetect's network and the weights.
///
/// The config is read from the source tree by path: looking it up among the bundled models goes
/// through Foundation's `Bundle.allBundles`, which leaks an array on every call (LeakSanitizer).
let configPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json").path

func fuzzONNXImport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(buffer: UnsafeBufferPointer(start: start, count: count))
    _ = try? ONNXImporter.importModel(
        data, named: "fuzz.onnx", config: configPath,
        options: ImportOptions(name: "fuzz", labels: [], weightsPath: "fuzz.safetensors"))
    return 0
}

@main
enum FuzzONNXImportMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzONNXImport))
    }
}
