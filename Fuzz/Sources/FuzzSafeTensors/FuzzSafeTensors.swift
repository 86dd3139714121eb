import CFuzzerDriver
import Foundation
import LiteDetect
import LiteDetectNN

/// Fuzz target: `SafeTensors.parse` on arbitrary bytes must throw a `WeightError` or return
/// tensors that can be taken by their own shapes; it must never trap (overflow, bad index).
/// Small limits keep a lying header length from turning one input into a large allocation.
func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(buffer: UnsafeBufferPointer(start: start, count: count))
    let limits = SafeTensors.Limits(maxFileBytes: 1 << 20, maxHeaderBytes: 1 << 16)
    if let file = try? SafeTensors.parse(data, name: "fuzz", limits: limits) {
        var source = file.tensors
        for (name, tensor) in file.tensors.tensors {
            // Taking a tensor by its own shape must work unless it holds a NaN or infinity.
            do { _ = try source.take(name, shape: tensor.shape) } catch {
                guard case .nonFinite = error else { preconditionFailure("\(name): \(error)") }
            }
        }
    }
    return 0
}

@main
enum FuzzSafeTensorsMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzSafeTensors))
    }
}
