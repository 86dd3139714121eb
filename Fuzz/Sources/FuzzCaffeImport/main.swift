import CFuzzerDriver
import Foundation
import LiteDetectImport

/// Fuzz target: Caffe import of arbitrary bytes must return a model or throw an `ImportError`.
/// The first byte picks what is fuzzed: even, the bytes are the prototxt (text format, with an
/// empty caffemodel); odd, they are the caffemodel (binary) under a minimal valid prototxt, so the
/// binary parser is reached.
func fuzzCaffeImport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard count > 0, let start else { return 0 }
    let data = Data(buffer: UnsafeBufferPointer(start: start + 1, count: count - 1))
    let options = ImportOptions(name: "fuzz", labels: ["background", "thing"], weightsPath: "fuzz.safetensors")
    if start[0] % 2 == 0 {
        _ = try? CaffeSSDImporter.importModel(prototxt: data, named: "fuzz.prototxt", caffemodel: Data(), named: "fuzz.caffemodel", options: options)
    } else {
        // Built per call: a global created during the first run would read as a leak to LeakSanitizer.
        let prototxt = Data(minimalPrototxt.utf8)
        _ = try? CaffeSSDImporter.importModel(
            prototxt: prototxt, named: "fuzz.prototxt", caffemodel: data, named: "fuzz.caffemodel", options: options)
    }
    return 0
}

let minimalPrototxt = """
    name: "fuzz"
    input: "data"
    input_shape { dim: 1 dim: 3 dim: 300 dim: 300 }
    layer { name: "conv0" type: "Convolution" bottom: "data" top: "conv0" convolution_param { num_output: 32 pad: 1 kernel_size: 3 stride: 2 } }
    """

@main
enum FuzzCaffeImportMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzCaffeImport))
    }
}
