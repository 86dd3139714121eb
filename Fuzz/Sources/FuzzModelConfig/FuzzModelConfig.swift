import CFuzzerDriver
import Foundation
import LiteDetect
import LiteDetectPostprocess

/// Fuzz target: `ModelConfig.parse` on arbitrary bytes must throw a `ConfigError` or return a
/// config whose derived values (architecture, preprocessing, anchors) can be computed without
/// trapping. Anchors are generated on small grids so one input stays fast.
func fuzzModelConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(buffer: UnsafeBufferPointer(start: start, count: count))
    guard let config = try? ModelConfig.parse(data, name: "fuzz") else { return 0 }
    let architecture = config.architecture
    _ = config.input.preprocessOptions
    // Feature maps halving from 8×8 down to 1×1, one per level, as a small input would give.
    let grids = (0..<architecture.levelCount).map { level in GridSize(square: max(1, 8 >> min(level, 8))) }
    _ = try? config.anchors.anchors(featureMaps: grids, inputWidth: 64, inputHeight: 64)
    return 0
}

@main
enum FuzzModelConfigMain {
    static func main() {
        exit(litedetect_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzModelConfig))
    }
}
