import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectKernels
import LiteDetectModels

/// `detect bench`: how fast each backbone detects, on this machine, side by side.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure detection speed per backbone (random weights; trained weights are not needed).",
        discussion: """
            For each backbone (default: all), input size and thread count, runs warm-up passes, then
            --runs timed detections of a synthetic 640×480 image, and reports the forward pass
            (min/median/p90/max), FPS, each stage's median and the process's peak memory.
            Build with 'swift build -c release' first: debug builds are ~100× slower.
            """
    )

    @Option(name: .customLong("backbone"), help: ArgumentHelp("Backbones to measure (repeatable; default: all).", valueName: "name"))
    var backbones: [BackboneName] = []

    @Option(name: .customLong("model"), help: ArgumentHelp("Bundled models or config paths to measure instead (repeatable).", valueName: "name|path"))
    var models: [String] = []

    @Option(name: .customLong("input-size"), help: ArgumentHelp("Square input sizes (repeatable; default: each model's own).", valueName: "n"))
    var inputSizes: [Int] = []

    @Option(name: .customLong("threads"), help: ArgumentHelp("Thread counts for the forward pass (repeatable).", valueName: "n"))
    var threadCounts: [Int] = [1]

    @Option(
        name: .customLong("precision"),
        help: ArgumentHelp(
            "What the convolutions multiply in: f32, or bf16 on CPUs with AVX512_BF16 (repeatable: each precision is measured in turn).",
            valueName: "f32|bf16"))
    var precisions: [KernelPrecision] = [.float32]

    @Option(help: ArgumentHelp("Timed runs per configuration.", valueName: "n"))
    var runs: Int = 20

    @Option(help: ArgumentHelp("Untimed warm-up runs per configuration.", valueName: "n"))
    var warmup: Int = 3

    @Option(
        help: ArgumentHelp(
            "Postprocessing score threshold (default: each model config's postprocess.score_threshold; COCO evaluation uses 0.01 or lower).",
            valueName: "score"))
    var scoreThreshold: Float?

    @Flag(help: "Also print each configuration's per-layer profile (median time per operation).")
    var perLayer = false

    @Option(help: ArgumentHelp("Output format: table, json (one object per line), csv or markdown.", valueName: "format"))
    var format: BenchFormat = .table

    @Option(help: ArgumentHelp("Write a latency-vs-MACs chart (PNG) to this path.", valueName: "path"))
    var chart: String?

    @Flag(help: "Replace an existing chart file.")
    var overwrite = false

    func validate() throws {
        try OptionBounds.check(runs, in: 1...100_000, flag: "--runs")
        try OptionBounds.check(warmup, in: 0...10_000, flag: "--warmup")
        for size in inputSizes { try OptionBounds.check(size, in: OptionBounds.inputSize, flag: "--input-size") }
        for threads in threadCounts { try OptionBounds.check(threads, in: 1...64, flag: "--threads") }
        if !backbones.isEmpty && !models.isEmpty { throw ValidationError("give either --backbone or --model, not both") }
        if let problem = KernelInstructionSet.environmentProblem { throw ValidationError(problem) }
        for precision in Set(precisions) {
            if let reason = precision.unsupportedReason { throw ValidationError("--precision \(precision): \(reason)") }
        }
        try OptionBounds.checkUnit(scoreThreshold, flag: "--score-threshold")
        if let chart, !overwrite, FileManager.default.fileExists(atPath: chart) {
            throw ValidationError("\(chart) exists; use --overwrite to replace it")
        }
    }

    func run() throws {
        var configs: [ModelConfig] = []
        if models.isEmpty {
            for backbone in backbones.isEmpty ? BackboneName.allCases : backbones {
                configs.append(try ModelCatalog.bundled.config(named: "ssdlite320-\(backbone.rawValue)"))
            }
        } else {
            configs = try models.map { try ModelCatalog.config(nameOrPath: $0) }
        }
        var plan: [(ModelConfig, Int, KernelPrecision)] = []
        for config in configs {
            for size in inputSizes.isEmpty ? [config.input.width] : inputSizes {
                var sized = config
                sized.input.width = size
                sized.input.height = size
                for threads in threadCounts {
                    for precision in precisions { plan.append((sized, threads, precision)) }
                }
            }
        }
        let image = BenchImage.make(width: 640, height: 480)
        var results: [BenchResult] = []
        let showProgress = Terminal.standardErrorIsTerminal
        for (index, (config, threads, precision)) in plan.enumerated() {
            if showProgress {
                Terminal.standardErrorRaw(
                    "\r\u{1B}[K[\(index + 1)/\(plan.count)] \(config.backbone.name) \(config.input.width)px \(threads) thread\(threads == 1 ? "" : "s") \(precision)…"
                )
            }
            let result = try BenchResult.measure(
                config: config, threads: threads, precision: precision, image: image, scoreThreshold: scoreThreshold, runs: runs,
                warmup: warmup, perLayer: perLayer)
            results.append(result)
            if showProgress { Terminal.standardErrorRaw("\r\u{1B}[K") }
            if format == .json { Terminal.standardOutput(result.json + "\n") }
        }
        switch format {
        case .json: break
        case .table: Terminal.standardOutput(BenchResult.table(results) + "\n")
        case .csv: Terminal.standardOutput(BenchResult.csv(results))
        case .markdown: Terminal.standardOutput(BenchResult.markdown(results))
        }
        if perLayer && format != .json {
            for result in results { Terminal.standardOutput("\n" + result.layerTable()) }
            Terminal.standardOutput(
                "\n(banded): layers run band by band with their neighbours (docs/PERFORMANCE.md, \"Bands\"); a layer's time is its bands' times summed over threads, divided by the threads.\n"
            )
        }
        if format == .table {
            Terminal.standardOutput(
                "\nCPU: \(CPUDescription.current.summary); kernels: \(KernelInstructionSet.selected.description); forward = network only; stages from full detections of a 640×480 image; \(runs) runs after \(warmup) warm-up runs; score threshold: \(scoreThreshold.map { "\($0)" } ?? "each model's")\n"
            )
        }
        if let chart {
            try ImageFile.save(BenchChart.render(results), to: chart, as: .png, overwrite: overwrite)
            Terminal.standardError("chart: \(chart)")
        }
    }
}

enum BenchFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json, csv, markdown
}

/// A deterministic synthetic photo-like test image (gradients and blocks), so `bench` needs no files.
enum BenchImage {
    static func make(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let block = ((x / 40) + (y / 40)) % 2 == 0
                pixels[i] = UInt8(truncatingIfNeeded: x * 255 / width)
                pixels[i + 1] = UInt8(truncatingIfNeeded: y * 255 / height)
                pixels[i + 2] = block ? 200 : UInt8(truncatingIfNeeded: (x ^ y) & 0xFF)
            }
        }
        return RGBImage(width: width, height: height, bytesPerRow: width * 3, pixels: pixels)!
    }
}
