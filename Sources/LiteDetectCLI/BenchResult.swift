import Foundation
import LiteDetect
import LiteDetectJSONOutput
import LiteDetectKernels
import LiteDetectModels

/// The measurements of one (model, input size, threads) configuration.
struct BenchResult {
    var model: String
    var backbone: String
    var inputSize: Int
    var threads: Int
    var precision: KernelPrecision
    /// Multiply-accumulates that ran in bfloat16 (the rest, depthwise and any layer without a
    /// bfloat16 kernel, in float32).
    var bfloat16MultiplyAccumulates: Int
    /// The postprocessing score threshold the stage times were measured at.
    var scoreThreshold: Float
    var parameters: Int
    var multiplyAccumulates: Int
    var forward: LatencyStatistics
    var stages: StageTiming
    var peakRSS: Double
    var runs: Int
    /// Per operation: description, MACs and median seconds (only with `--per-layer`).
    var layers: [(name: String, macs: Int, seconds: Double)] = []

    /// - Parameter scoreThreshold: nil: the model config's (evaluation) threshold.
    static func measure(
        config: ModelConfig, threads: Int, precision: KernelPrecision, image: RGBImage, scoreThreshold: Float?, runs: Int,
        warmup: Int, perLayer: Bool
    ) throws -> BenchResult {
        let detector = try Detector(config: config, weights: .random(seed: 1), precision: precision)
        let session = detector.makeSession(threads: threads)
        let options = DetectionOptions(scoreThreshold: scoreThreshold)
        for _ in 0..<warmup { _ = try session.detect(image, options: options) }
        var forward: [Double] = [], pre: [Double] = [], post: [Double] = []
        for _ in 0..<runs {
            let timing = try session.detect(image, options: options).timing
            forward.append(timing.inference / .milliseconds(1))
            pre.append(timing.preprocess / .milliseconds(1))
            post.append(timing.postprocess / .milliseconds(1))
        }
        let network = detector.detectionNetwork.network
        var result = BenchResult(
            model: config.name, backbone: config.backbone.description, inputSize: config.input.width, threads: threads,
            precision: precision, bfloat16MultiplyAccumulates: network.multiplyAccumulates(in: .bfloat16),
            scoreThreshold: detector.postprocessConfiguration(options).scoreThreshold,
            parameters: network.parameterCount, multiplyAccumulates: network.multiplyAccumulates,
            forward: LatencyStatistics(forward),
            stages: StageTiming(
                preprocess: .milliseconds(LatencyStatistics(pre).median), inference: .milliseconds(LatencyStatistics(forward).median),
                postprocess: .milliseconds(LatencyStatistics(post).median)),
            peakRSS: PeakMemory.mebibytes, runs: runs)
        if perLayer {
            var samples: [[Double]] = Array(repeating: [], count: network.operationCount)
            var seconds: [Double] = []
            for _ in 0..<max(3, min(runs, 20)) {
                session.networkSession.runProfiled(seconds: &seconds)
                for (i, s) in seconds.enumerated() { samples[i].append(s) }
            }
            result.layers = zip(network.operationNames, network.operationMultiplyAccumulates).enumerated().map { i, pair in
                (pair.0, pair.1, LatencyStatistics(samples[i]).median)
            }
        }
        return result
    }

    var fps: Double { 1000 / forward.median }

    /// The CPU the numbers came from: its name and the cache sizes the kernels block for.
    static let cpuJSON: String = {
        let cpu = CPUDescription.current
        func bytes(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        return JSONText.object([
            ("model", JSONText.string(cpu.model)), ("l1d_bytes", bytes(cpu.l1DataCacheBytes)),
            ("l2_bytes", bytes(cpu.l2CacheBytes)), ("l3_bytes", bytes(cpu.l3CacheBytes)),
            ("bf16", KernelPrecision.bfloat16.isSupported ? "true" : "false"),
            ("gemm_chunk_floats", "\(cpu.gemmChunkFloats)"), ("gemm_small_weight_floats", "\(cpu.gemmSmallWeightFloats)"),
            ("band_bytes", "\(cpu.bandBytes)"), ("band_map_bytes", "\(cpu.bandMapBytes)"),
        ])
    }()

    // MARK: Formats

    private static let columns = [
        "backbone", "input", "threads", "precision", "params", "MMACs", "min", "median", "p90", "max", "FPS", "pre", "post", "peak RSS",
    ]

    private var cells: [String] {
        [
            backbone, "\(inputSize)", "\(threads)", precision.rawValue, String(format: "%.2fM", Double(parameters) / 1e6),
            String(format: "%.0f", Double(multiplyAccumulates) / 1e6),
            String(format: "%.2f", forward.min), String(format: "%.2f", forward.median), String(format: "%.2f", forward.p90),
            String(format: "%.2f", forward.max), String(format: "%.1f", fps), String(format: "%.2f", stages.preprocess / .milliseconds(1)),
            String(format: "%.2f", stages.postprocess / .milliseconds(1)), String(format: "%.0f MB", peakRSS),
        ]
    }

    static func table(_ results: [BenchResult]) -> String {
        "forward pass, ms (median of runs); pre/post: preprocess and postprocess medians, ms\n"
            + TextTable(header: columns, rows: results.map(\.cells)).rendered
    }

    static func markdown(_ results: [BenchResult]) -> String {
        let header = "| " + columns.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: columns.count) + "\n"
        return header + results.map { "| " + $0.cells.joined(separator: " | ") + " |\n" }.joined()
    }

    static func csv(_ results: [BenchResult]) -> String {
        "model,backbone,input_size,threads,precision,params,macs,min_ms,median_ms,p90_ms,max_ms,fps,preprocess_ms,inference_ms,postprocess_ms,peak_rss_mb\n"
            + results.map { r in
                [
                    r.model, "\"\(r.backbone)\"", "\(r.inputSize)", "\(r.threads)", r.precision.rawValue, "\(r.parameters)",
                    "\(r.multiplyAccumulates)",
                    "\(r.forward.min)", "\(r.forward.median)", "\(r.forward.p90)", "\(r.forward.max)", "\(r.fps)",
                    "\(r.stages.preprocess / .milliseconds(1))", "\(r.stages.inference / .milliseconds(1))",
                    "\(r.stages.postprocess / .milliseconds(1))", "\(r.peakRSS)",
                ].joined(separator: ",") + "\n"
            }.joined()
    }

    var json: String {
        var fields: [(String, String)] = [
            ("backbone", JSONText.string(backbone)), ("model", JSONText.string(model)), ("input_size", "\(inputSize)"),
            ("threads", "\(threads)"), ("precision", JSONText.string(precision.rawValue)),
            ("bf16_macs", "\(bfloat16MultiplyAccumulates)"), ("params", "\(parameters)"), ("macs", "\(multiplyAccumulates)"),
            (
                "latency_ms",
                JSONText.object([
                    ("min", JSONText.milliseconds(forward.min)), ("median", JSONText.milliseconds(forward.median)),
                    ("p90", JSONText.milliseconds(forward.p90)), ("max", JSONText.milliseconds(forward.max)),
                ])
            ),
            ("fps", JSONText.number(fps)),
            ("stages_ms", DetectionJSON.timing(stages)), ("score_threshold", JSONText.number(scoreThreshold)),
            ("peak_rss_mb", JSONText.number(peakRSS)), ("runs", "\(runs)"),
            ("kernels", JSONText.string(KernelInstructionSet.selected.description)),
            ("cpu", Self.cpuJSON), ("random_weights", "true"),
        ]
        if !layers.isEmpty {
            fields.append(
                (
                    "layers",
                    JSONText.array(
                        layers.map { layer in
                            JSONText.object([
                                ("name", JSONText.string(layer.name)), ("macs", "\(layer.macs)"), ("ms", JSONText.number(layer.seconds * 1e3)),
                            ])
                        })
                ))
        }
        return JSONText.object(fields)
    }

    /// The slowest operations first, with their share of the forward pass and throughput.
    func layerTable(limit: Int = 25) -> String {
        let total = layers.reduce(0) { $0 + $1.seconds }
        let rows = layers.enumerated().sorted { $0.element.seconds > $1.element.seconds }.prefix(limit).map { index, layer in
            [
                String(index), layer.name, String(format: "%.3f", layer.seconds * 1e3), String(format: "%.1f%%", 100 * layer.seconds / total),
                layer.macs > 0 ? String(format: "%.1f", Double(layer.macs) / 1e6) : "",
                layer.macs > 0 ? String(format: "%.1f", Double(layer.macs) / layer.seconds / 1e9) : "",
            ]
        }
        return "\(model) at \(inputSize)px: \(layers.count) operations, \(String(format: "%.2f", total * 1e3)) ms in total (slowest \(rows.count)):\n"
            + TextTable(header: ["#", "operation", "ms", "share", "MMACs", "GMAC/s"], rows: Array(rows)).rendered + "\n"
    }
}
