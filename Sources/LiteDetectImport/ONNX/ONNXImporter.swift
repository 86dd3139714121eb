import Foundation
import LiteDetect
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectModels
import LiteDetectNN

/// Imports an ONNX export of an SSD / SSDLite network up to its raw head outputs (torchvision's
/// `bbox_regression` [1, A, 4] and `cls_logits` [1, A, classes], or one output per level and
/// branch), such as `torch.onnx.export` writes for the detectors of `Tools/reference`.
///
/// The ONNX file has the network but not what surrounds it, so the user names a LiteDetect config
/// (bundled or a path) for the rest: its architecture is what the file must contain, and its
/// input normalisation, anchors, box coder, scores, post-processing and labels are kept. The
/// importer builds LiteDetect's network for that architecture, reads every node of the ONNX
/// graph into the same canonical form, and pairs the two from the outputs back to the input:
/// every convolution's input shape, kernel, stride, pads and groups, every BatchNorm's epsilon,
/// every activation, pool, addition, concatenation, slice, shuffle and channel scaling, and
/// which value each reads. Weights are taken from the ONNX convolution (and BatchNorm) that each
/// LiteDetect layer pairs with; every initializer is used exactly once.
package enum ONNXImporter {
    /// - Parameters:
    ///   - path: the `.onnx` file (weights inside it; external data is refused).
    ///   - configNameOrPath: a bundled model name (`ssdlite320-mobilenetv3-large`) or a config file.
    ///   - options: name, weights path, description, provenance; `labels` empty keeps the config's.
    package static func importModel(at path: String, config configNameOrPath: String, options: ImportOptions) throws(ImportError) -> ImportedModel {
        try importModel(ModelFile.read(path), named: path, config: configNameOrPath, options: options)
    }

    /// The same from bytes already in memory; `path` names them in messages and provenance.
    package static func importModel(
        _ data: Data, named path: String, config configNameOrPath: String, options: ImportOptions
    ) throws(ImportError) -> ImportedModel {
        let file = path
        let model = try ONNXModel(data: data, file: path)
        let (baseConfig, configJSON) = try loadConfig(configNameOrPath)
        let labels = options.labels.isEmpty ? baseConfig.labels : options.labels
        var checks: [String] = []
        let producer = [model.model.producerName, model.model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        checks.append(
            "ONNX: \(producer.isEmpty ? "unknown producer" : producer), IR version \(model.model.irVersion), opset \(model.opset), \(model.graph.node.count) nodes, \(model.initializers.count) initializers"
        )

        // Every node read; the feature graph it computes.
        let reader = try ONNXGraphReader(model: model, defaultHeight: baseConfig.input.height, defaultWidth: baseConfig.input.width)
        try checkEveryOutputRead(model)
        let input = reader.inputShape
        let sizeNote =
            input.height == baseConfig.input.height && input.width == baseConfig.input.width
            ? "" : " (the config's \(baseConfig.input.width)×\(baseConfig.input.height) is replaced: the file fixes the size)"
        checks.append("input '\(reader.inputName)': [1, 3, \(input.height), \(input.width)]\(sizeNote)")

        // LiteDetect's network for the config's architecture, BatchNorm stored as the file stores it.
        var architecture = baseConfig.architecture
        architecture.classColumns = labels.count
        let hasBatchNorm = reader.convolutions.values.contains { $0.batchNorm != nil }
        architecture.batchNorm = .separate
        var probe = try buildProbe(architecture, input: input, file: file)
        if !hasBatchNorm, probe.requests.contains(where: { $0.name.hasSuffix(".running_var") }) {
            architecture.batchNorm = .foldedIntoBias
            probe = try buildProbe(architecture, input: input, file: file)
        }
        checks.append(
            "architecture of \(baseConfig.name): \(architecture.backbone.description), extras \(architecture.extraLayers) (\(architecture.extraBlock)), \(architecture.head) head, \(architecture.anchorsPerLevel) anchors per cell, \(labels.count) class columns"
        )

        // Pair the graphs from the outputs back.
        var liteConvolutions: [Int: String] = [:]
        let lite = FeatureGraph(network: probe.network.network, convolutions: &liteConvolutions)
        let pairs = try outputPairs(reader: reader, network: probe.network, classColumns: labels.count, file: file)
        var matcher = FeatureGraphMatcher(lite: lite, onnx: reader.graph)
        for pair in pairs.pairs where !matcher.matchOutput(lite.outputs[pair.lite]!, pair.onnx) {
            let problem = matcher.mismatch
            let location = problem.map { reader.graph.nodes[$0.onnx].label } ?? "output '\(pair.onnxName)'"
            throw .invalidModel(
                file: file, location: location,
                problem: "does not compute what LiteDetect's \(baseConfig.name) computes for \(pair.lite): \(problem?.problem ?? "no pairing")")
        }
        checks.append(contentsOf: pairs.descriptions)
        for (node, source) in reader.convolutions where matcher.onnxToLite[node] == nil {
            throw .unsupported(
                file: file, location: model.location(source.node), problem: "this convolution does not lead to the outputs LiteDetect computes")
        }
        var kinds: [String: Int] = [:]
        for (o, _) in matcher.onnxToLite { kinds[kindName(reader.graph.nodes[o].operation), default: 0] += 1 }
        checks.append(
            "structure: \(matcher.onnxToLite.count) operations pair one to one with LiteDetect's network (\(kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))): every convolution's input shape, kernel, stride, pads and groups, and what each operation reads"
        )

        // Weights from the paired ONNX layers.
        let gathered = try gatherTensors(
            probe.requests, liteConvolutions: liteConvolutions, matcher: matcher, reader: reader, architecture: architecture, file: file)
        checks.append(contentsOf: gathered.checks)
        try checkInitializerUses(reader: reader, model: model)
        checks.append("every initializer used exactly once (\(reader.parameterUses.count) as weights, \(reader.constantUses.count) as constants)")
        checks.append(
            "anchors, box coder, scores, post-processing and input normalisation: from \(baseConfig.name), which the ONNX file does not describe")

        // The config: the given one, renamed, with what the file decides.
        let sha256 = ModelFile.sha256(data)
        let (config, json) = try writeConfig(
            configJSON, base: baseConfig, options: options, labels: labels, input: input, batchNorm: architecture.batchNorm,
            source: path, sha256: sha256, file: file)
        let metadata = [
            "format": "pt", "litedetect.source": URL(fileURLWithPath: path).lastPathComponent,
            "litedetect.source_sha256": sha256, "litedetect.importer": "detect import (ONNX)",
            "litedetect.config": baseConfig.name,
        ]
        return try ImportedModel.verified(config: config, json: json, tensors: gathered.tensors, metadata: metadata, checks: checks, file: file)
    }

    // MARK: Config

    /// The config and its file's bytes (a bundled name or a path).
    static func loadConfig(_ nameOrPath: String) throws(ImportError) -> (ModelConfig, Data) {
        let config: ModelConfig
        do {
            config = try ModelCatalog.config(nameOrPath: nameOrPath)
        } catch {
            throw .unreadable(file: nameOrPath, reason: "the config that describes the anchors and post-processing: \(error)")
        }
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        let path = isPath ? nameOrPath : URL(fileURLWithPath: config.directory).appendingPathComponent("\(config.name).json").path
        return (config, try ModelFile.read(path, maxBytes: 16 << 20))
    }

    /// The given config with the imported model's name, weights, labels, input size and BatchNorm
    /// storage; everything else (anchors, box coder, post-processing, normalisation) unchanged.
    static func writeConfig(
        _ original: Data, base: ModelConfig, options: ImportOptions, labels: [String], input: FeatureMapShape,
        batchNorm: GraphBuilder.BatchNormStorage, source: String, sha256: String, file: String
    ) throws(ImportError) -> (ModelConfig, Data) {
        guard var document = (try? JSONSerialization.jsonObject(with: original)) as? [String: Any] else {
            throw .verificationFailed(file: file, problem: "the config \(base.name) is not a JSON object")
        }
        document["name"] = options.name
        document["description"] = options.description ?? "\(base.name) imported from \(URL(fileURLWithPath: source).lastPathComponent) (ONNX)"
        document["provenance"] =
            options.provenance
            ?? "imported by detect import from \(URL(fileURLWithPath: source).lastPathComponent), sha256 \(sha256); anchors and post-processing from \(base.name)"
        document["weights"] = options.weightsPath
        document["labels"] = labels
        var inputSection = document["input"] as? [String: Any] ?? [:]
        inputSection["width"] = input.width
        inputSection["height"] = input.height
        document["input"] = inputSection
        var network = document["network"] as? [String: Any] ?? [:]
        network["batch_norm"] = batchNorm == .separate ? "separate" : "folded"
        document["network"] = network
        var data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .verificationFailed(file: file, problem: "the config cannot be written: \(error)")
        }
        data.append(0x0A)
        do {
            return (try ModelConfig.parse(data, name: "\(options.name).json"), data)
        } catch {
            throw .verificationFailed(file: file, problem: "the config it would write is invalid: \(error)")
        }
    }

    // MARK: Network

    private static func buildProbe(
        _ architecture: DetectionArchitecture, input: FeatureMapShape, file: String
    ) throws(ImportError) -> (network: DetectionNetwork, requests: [(name: String, shape: [Int])]) {
        let probe = RecordingWeights()
        do {
            let network = try DetectionNetwork(architecture, inputHeight: input.height, inputWidth: input.width, weights: probe)
            return (network, probe.requests)
        } catch {
            throw .unsupported(
                file: file, location: "network", problem: "LiteDetect cannot build this layout at \(input.width)×\(input.height): \(error)")
        }
    }

    /// Which LiteDetect output each ONNX graph output (or part of one) is.
    private static func outputPairs(
        reader: ONNXGraphReader, network: DetectionNetwork, classColumns: Int, file: String
    ) throws(ImportError) -> (pairs: [(lite: String, onnx: Int, onnxName: String)], descriptions: [String]) {
        var pairs: [(lite: String, onnx: Int, onnxName: String)] = []
        var descriptions: [String] = []
        var taken: Set<String> = []
        let levels = network.levels
        func take(_ name: String, _ onnx: Int, _ output: String) throws(ImportError) {
            guard taken.insert(name).inserted else {
                throw .invalidModel(file: file, location: "output '\(output)'", problem: "gives LiteDetect's \(name) a second time")
            }
            pairs.append((name, onnx, output))
        }
        let outputs = reader.model.outputNames
        let headOutputs = outputs.compactMap { name -> (String, [Int], Int)? in
            if case let .headOutput(parts, columns)? = reader.symbols[name] { return (name, parts, columns) }
            return nil
        }
        // With as many class columns as box coordinates, the two outputs only differ by name.
        let ambiguous = classColumns == 4 && headOutputs.count == 2
        for name in outputs {
            switch reader.symbols[name] {
            case let .headOutput(parts, columns)?:
                let isBoxes: Bool
                if ambiguous {
                    isBoxes = name == headOutputs[0].0
                } else if columns == 4 {
                    isBoxes = true
                } else if columns == classColumns {
                    isBoxes = false
                } else {
                    throw .invalidModel(
                        file: file, location: "output '\(name)'",
                        problem:
                            "has \(columns) columns per anchor; LiteDetect's boxes have 4 and its scores \(classColumns) (one per label, background included)"
                    )
                }
                guard parts.count == levels.count else {
                    throw .invalidModel(
                        file: file, location: "output '\(name)'", problem: "concatenates \(parts.count) levels; the architecture has \(levels.count)")
                }
                for (level, part) in parts.enumerated() {
                    try take(isBoxes ? levels[level].boxesOutput : levels[level].scoresOutput, part, name)
                }
                descriptions.append(
                    "output '\(name)' [1, \(network.anchorCount), \(columns)]: LiteDetect's \(isBoxes ? "box regressions" : "class scores") of levels 0–\(levels.count - 1) in torchvision's order (level, row, column, anchor)\(ambiguous ? " (told apart by output order: 4 classes)" : "")"
                )
            case let .feature(node)?:
                let shape = reader.shape(node)
                let candidates = levels.flatMap { [$0.boxesOutput, $0.scoresOutput] }.filter {
                    network.network.outputShape($0) == shape && !taken.contains($0)
                }
                guard candidates.count == 1 else {
                    throw .invalidModel(
                        file: file, location: "output '\(name)'",
                        problem:
                            "a feature map \(shape) that is \(candidates.isEmpty ? "none" : "more than one") of LiteDetect's per-level head outputs")
                }
                try take(candidates[0], node, name)
                descriptions.append("output '\(name)' \(shape): LiteDetect's \(candidates[0])")
            case let other?:
                throw .unsupported(file: file, location: "output '\(name)'", problem: "is \(reader.describe(other)); raw head outputs are read")
            case nil:
                throw .invalidModel(file: file, location: "output '\(name)'", problem: "no node writes it")
            }
        }
        let missing = levels.flatMap { [$0.boxesOutput, $0.scoresOutput] }.filter { !taken.contains($0) }
        guard missing.isEmpty else {
            throw .invalidModel(
                file: file, location: "graph outputs", problem: "LiteDetect's \(missing.joined(separator: ", ")) are not among the outputs \(outputs)"
            )
        }
        return (pairs, descriptions)
    }

    /// No node may compute something nobody reads.
    private static func checkEveryOutputRead(_ model: ONNXModel) throws(ImportError) {
        let outputs = Set(model.outputNames)
        for (index, node) in model.graph.node.enumerated() {
            for output in node.output where !output.isEmpty && model.readers[output] == nil && !outputs.contains(output) {
                throw .unsupported(file: model.file, location: model.location(index), problem: "its output '\(output)' is never read")
            }
        }
    }

    private static func kindName(_ operation: FeatureGraph.Operation) -> String {
        switch operation {
        case .input: return "input"
        case .convolution: return "convolutions"
        case .add: return "additions"
        case let .activation(a): return "\(a)"
        case .maxPool: return "max pools"
        case .averagePool: return "average pools"
        case .globalAveragePool: return "global pools"
        case .concat: return "concatenations"
        case .channelSlice: return "channel slices"
        case .channelShuffle: return "channel shuffles"
        case .scaleChannels: return "channel scalings"
        }
    }

    // MARK: Weights

    /// Takes each tensor LiteDetect asked for from the ONNX layer its convolution pairs with.
    private static func gatherTensors(
        _ requests: [(name: String, shape: [Int])], liteConvolutions: [Int: String], matcher: FeatureGraphMatcher,
        reader: ONNXGraphReader, architecture: DetectionArchitecture, file: String
    ) throws(ImportError) -> (tensors: [String: NamedTensors.Tensor], checks: [String]) {
        let model = reader.model
        var nodeOfLayer: [String: Int] = [:]
        for (node, name) in liteConvolutions { nodeOfLayer[name] = node }
        let requestedKeys = Set(requests.map(\.name))
        var tensors: [String: NamedTensors.Tensor] = [:]
        var sameName = 0, values = 0
        var taken: Set<String> = []
        var current: (layer: String, source: ONNXGraphReader.ConvolutionSource)?
        var epsilons: Set<Float> = []
        var batchNorms = 0

        func finish() throws(ImportError) {
            guard let (layer, source) = current else { return }
            let expected = [source.weight] + (source.bias.map { [$0] } ?? []) + (source.batchNorm?.parameters ?? [])
            if let left = expected.first(where: { !taken.contains($0) }) {
                throw .invalidModel(
                    file: file, location: model.location(source.node),
                    problem:
                        "'\(left)' has no place in LiteDetect's \(layer) (\(source.batchNorm == nil ? "" : "a BatchNorm, ")\(source.bias == nil ? "no" : "a") bias in the file; LiteDetect's layer takes \(requests.filter { $0.name.hasPrefix(layer + ".") || $0.name == layer }.count) tensors)"
                )
            }
        }

        for (key, shape) in requests {
            let sourceName: String
            if shape.count == 4 {
                try finish()
                let layer = String(key.dropLast(".weight".count))
                guard key.hasSuffix(".weight"), let node = nodeOfLayer[layer], let o = matcher.liteToONNX[node], let source = reader.convolutions[o]
                else {
                    throw .verificationFailed(file: file, problem: "no ONNX convolution pairs with LiteDetect's \(key)")
                }
                current = (layer, source)
                sourceName = source.weight
                if let bn = source.batchNorm {
                    let inBackbone = layer.hasPrefix("backbone.") && !layer.hasPrefix("backbone.extra.")
                    let expected = Float(inBackbone ? architecture.backbone.batchNormEpsilon : architecture.headBatchNormEpsilon)
                    guard bn.epsilon == expected else {
                        throw .invalidModel(
                            file: file, location: model.location(bn.node),
                            problem:
                                "epsilon \(bn.epsilon); the architecture uses \(expected) for \(layer) (a config of your own can set \(inBackbone ? "backbone.batch_norm_epsilon" : "network.head_batch_norm_epsilon"))"
                        )
                    }
                    epsilons.insert(bn.epsilon)
                    batchNorms += 1
                }
            } else {
                guard let (layer, source) = current else {
                    throw .verificationFailed(file: file, problem: "\(key) requested before any convolution")
                }
                if key == layer + ".bias" {
                    guard let bias = source.bias else {
                        throw .invalidModel(
                            file: file, location: model.location(source.node), problem: "has no bias; LiteDetect's \(layer) needs one (\(key))")
                    }
                    sourceName = bias
                } else {
                    let suffixes = [".weight", ".bias", ".running_mean", ".running_var"]
                    guard let slot = suffixes.firstIndex(where: { key.hasSuffix($0) }), let bn = source.batchNorm else {
                        throw .invalidModel(
                            file: file, location: model.location(source.node),
                            problem: "has no BatchNormalization after it; LiteDetect's \(layer) needs \(key)")
                    }
                    sourceName = bn.parameters[slot]
                }
            }
            let location = "initializer '\(sourceName)'"
            guard let initializer = model.initializers[sourceName] else {
                throw .invalidModel(file: file, location: location, problem: "not an initializer")
            }
            let (dims, floats) = try model.floats(initializer, location: location)
            guard dims == shape else {
                throw .invalidModel(file: file, location: location, problem: "dims \(dims); LiteDetect's \(key) needs \(shape)")
            }
            if let bad = floats.firstIndex(where: { !$0.isFinite }) {
                throw .invalidModel(file: file, location: location, problem: "holds a NaN or infinity at element \(bad)")
            }
            guard taken.insert(sourceName).inserted else {
                throw .verificationFailed(file: file, problem: "'\(sourceName)' would be used twice (again for \(key))")
            }
            if sourceName == key {
                sameName += 1
            } else if requestedKeys.contains(sourceName) {
                throw .invalidModel(
                    file: file, location: location,
                    problem:
                        "is named like LiteDetect's \(sourceName) but sits where LiteDetect's \(key) is: the graph's wiring and its names disagree")
            }
            values += floats.count
            tensors[key] = NamedTensors.Tensor(shape: shape, values: floats)
        }
        try finish()
        var checks = [
            "weights: \(tensors.count) tensors, \(values) values, each from the ONNX layer its LiteDetect layer pairs with; \(sameName) of \(tensors.count) initializer names equal LiteDetect's keys"
        ]
        if architecture.batchNorm == .separate {
            checks.append(
                "BatchNorm: \(batchNorms) BatchNormalization nodes, each after the convolution LiteDetect folds it into, epsilon \(epsilons.sorted()) as the architecture says"
            )
        } else {
            checks.append("BatchNorm: folded into the convolutions' biases in the file (network.batch_norm: folded)")
        }
        return (tensors, checks)
    }

    /// Every initializer is a weight taken once, or a constant (shapes, bounds) and nothing else.
    private static func checkInitializerUses(reader: ONNXGraphReader, model: ONNXModel) throws(ImportError) {
        for tensor in model.graph.initializer {
            let asWeight = reader.parameterUses[tensor.name] ?? [], asConstant = reader.constantUses[tensor.name] ?? []
            let location = "initializer '\(tensor.name)'"
            if asWeight.isEmpty && asConstant.isEmpty {
                throw .unsupported(file: model.file, location: location, problem: "no node the importer maps reads it")
            }
            if asWeight.count > 1 || (!asWeight.isEmpty && !asConstant.isEmpty) {
                throw .unsupported(
                    file: model.file, location: location,
                    problem:
                        "read \(asWeight.count + asConstant.count) times (\((asWeight + asConstant).prefix(3).joined(separator: "; "))); LiteDetect's layers own their weights"
                )
            }
        }
    }
}
