import Foundation
import LiteDetect
import LiteDetectImportFormats
import LiteDetectKernels
import LiteDetectNN
import LiteDetectPostprocess

extension TensorFlowSSDImporter {
    struct Preprocessing {
        var width: Int
        var height: Int
        var interpolation: String
        var scale: Float
        var offset: Float
        /// The node the first convolution must read.
        var inputNode: String
    }

    /// `Preprocessor/`: one `ResizeBilinear` to a constant size, `mul` by a scale, `sub` of an offset.
    static func readPreprocessing(_ graph: TensorFlowGraph) throws(ImportError) -> Preprocessing {
        let file = graph.file
        let resizes = graph.names.compactMap { graph.nodes[$0] }.filter { $0.name.hasPrefix("Preprocessor/") && $0.op.hasPrefix("Resize") }
        guard resizes.count == 1, let resize = resizes.first else {
            throw .unsupported(
                file: file, location: "Preprocessor/", problem: "\(resizes.count) resize ops (\(resizes.map(\.op))); one ResizeBilinear is mapped")
        }
        let location = "node '\(resize.name)' (\(resize.op))"
        guard resize.op == "ResizeBilinear" else { throw .unsupported(file: file, location: location, problem: "only ResizeBilinear is mapped") }
        guard resize.attr["align_corners"]?.b != true else { throw .unsupported(file: file, location: location, problem: "align_corners is true") }
        let interpolation = resize.attr["half_pixel_centers"]?.b == true ? "half_pixel" : "tf_legacy"
        let size = try graph.intConstant(graph.input(resize, 1))
        guard size.count == 2, size.allSatisfy({ (1...4096).contains($0) }) else {
            throw .invalidModel(file: file, location: location, problem: "resizes to \(size), expected [height, width]")
        }
        let mul = try graph.node("Preprocessor/mul"), sub = try graph.node("Preprocessor/sub")
        let mulInputs = try graph.dataInputs(of: mul), subInputs = try graph.dataInputs(of: sub)
        // The scale may be either operand of the multiplication; the offset is subtracted.
        guard mul.op == "Mul", sub.op == "Sub", mulInputs.count == 2, subInputs.count == 2, subInputs[0].name == mul.name,
            let scaleNode = mulInputs.first(where: { $0.op == "Const" }), mulInputs.contains(where: { $0.op != "Const" })
        else {
            throw .unsupported(file: file, location: "Preprocessor/mul, Preprocessor/sub", problem: "expected x·scale − offset")
        }
        let scale = try graph.floatScalar(scaleNode.name)
        let offset = try graph.floatScalar(subInputs[1].name)
        return Preprocessing(width: size[1], height: size[0], interpolation: interpolation, scale: scale, offset: -offset, inputNode: sub.name)
    }

    /// The OD API's SSD extra layers: `layer_19_2_Conv2d_<n>_3x3_s2_<channels>` for n = 2, 3, …
    static func readExtraLayers(_ graph: TensorFlowGraph) throws(ImportError) -> (channels: [Int], depthwise: Bool) {
        let prefix = TensorFlowLayerScopes.mobileNetV2 + "layer_19_2_Conv2d_"
        var found: [Int: (channels: Int, depthwise: Bool)] = [:]
        for name in graph.names where name.hasPrefix(prefix) && (name.hasSuffix("/weights") || name.hasSuffix("/depthwise_weights")) {
            let scope = name.dropFirst(prefix.count).prefix { $0 != "/" }
            let parts = scope.split(separator: "_")
            // "<n>_3x3_s2_<channels>" or "<n>_3x3_s2_<channels>_depthwise"
            guard parts.count >= 4, let n = Int(parts[0]), let channels = Int(parts[3]) else {
                throw .unsupported(file: graph.file, location: "scope '\(prefix)\(scope)'", problem: "an extra layer name the importer does not know")
            }
            if parts.count == 5 && parts[4] == "depthwise" {
                found[n, default: (channels, false)].depthwise = true
            } else {
                found[n, default: (channels, false)].channels = channels
            }
        }
        let indices = found.keys.sorted()
        guard !indices.isEmpty, indices == Array(2..<(2 + indices.count)) else {
            throw .unsupported(file: graph.file, location: prefix + "*", problem: "extra layers numbered \(indices); expected 2, 3, …")
        }
        let depthwise = Set(indices.map { found[$0]!.depthwise })
        guard depthwise.count == 1 else {
            throw .unsupported(file: graph.file, location: prefix + "*", problem: "some extra layers are depthwise and some are not")
        }
        return (indices.map { found[$0]!.channels }, depthwise.first!)
    }

    struct Heads {
        var ssdLite: Bool
        var kernel: Int
        var anchorsPerLevel: [Int]
        var classColumns: Int
    }

    /// `BoxPredictor_<level>/{BoxEncodingPredictor,ClassPredictor}`: anchors and classes from their shapes.
    static func readHeads(_ graph: TensorFlowGraph, levels: Int) throws(ImportError) -> Heads {
        let file = graph.file
        if graph.has("BoxPredictor_\(levels)/BoxEncodingPredictor/weights") {
            throw .unsupported(file: file, location: "BoxPredictor_\(levels)", problem: "more predictors than feature maps (\(levels))")
        }
        var anchors: [Int] = [], classColumns: Set<Int> = [], kernels: Set<Int> = []
        let ssdLite = graph.has("BoxPredictor_0/BoxEncodingPredictor_depthwise/depthwise_weights")
        for level in 0..<levels {
            let boxes = try graph.floatConstant("BoxPredictor_\(level)/BoxEncodingPredictor/weights").shape
            let classes = try graph.floatConstant("BoxPredictor_\(level)/ClassPredictor/weights").shape
            guard boxes.count == 4, classes.count == 4, boxes[3] % 4 == 0, boxes[3] > 0 else {
                throw .invalidModel(file: file, location: "BoxPredictor_\(level)", problem: "predictor shapes \(boxes), \(classes)")
            }
            let count = boxes[3] / 4
            guard classes[3] % count == 0 else {
                throw .invalidModel(
                    file: file, location: "BoxPredictor_\(level)/ClassPredictor", problem: "\(classes[3]) outputs for \(count) anchors")
            }
            anchors.append(count)
            classColumns.insert(classes[3] / count)
            kernels.insert(boxes[0])
            guard boxes[0] == boxes[1], classes[0] == boxes[0], classes[1] == boxes[1] else {
                throw .unsupported(file: file, location: "BoxPredictor_\(level)", problem: "kernels \(boxes.prefix(2)) and \(classes.prefix(2))")
            }
            if graph.has("BoxPredictor_\(level)/BoxEncodingPredictor_depthwise/depthwise_weights") != ssdLite {
                throw .unsupported(file: file, location: "BoxPredictor_\(level)", problem: "some predictors are SSDLite (depthwise) and some are not")
            }
        }
        guard classColumns.count == 1, kernels.count == 1 else {
            throw .unsupported(
                file: file, location: "BoxPredictor_*",
                problem: "class columns \(classColumns.sorted()) and kernels \(kernels.sorted()) differ between levels")
        }
        let kernel = kernels.first!
        guard ssdLite ? kernel == 1 : (kernel == 1 || kernel == 3) else {
            throw .unsupported(file: file, location: "BoxPredictor_0", problem: "\(kernel)×\(kernel) predictor kernels")
        }
        return Heads(ssdLite: ssdLite, kernel: kernel, anchorsPerLevel: anchors, classColumns: classColumns.first!)
    }

    /// Takes each tensor LiteDetect asked for from the TF variable that holds it, in PyTorch layout.
    static func gatherTensors(
        _ requests: [(name: String, shape: [Int])], convolutions: [String: TensorFlowConvolution], graph: TensorFlowGraph
    ) throws(ImportError) -> ([String: NamedTensors.Tensor], Set<String>) {
        var tensors: [String: NamedTensors.Tensor] = [:]
        var used: Set<String> = []
        var layer: (name: String, conv: TensorFlowConvolution)?
        for (key, shape) in requests {
            let tfName: String
            var values: [Float]
            if shape.count == 4 {
                let name = String(key.dropLast(".weight".count))
                guard key.hasSuffix(".weight"), let conv = convolutions[name] else {
                    throw .verificationFailed(file: graph.file, problem: "no TF layer is mapped to LiteDetect's \(key)")
                }
                layer = (name, conv)
                tfName = conv.scope + (conv.isDepthwise ? "/depthwise_weights" : "/weights")
                let source = try graph.floatConstant(tfName)
                let (kh, kw, cin, cout) = (source.shape[0], source.shape[1], source.shape[2], source.shape[3])
                // TF [kh, kw, in, out] → PyTorch [out, in, kh, kw]; depthwise [kh, kw, in, 1] → [in, 1, kh, kw].
                let expected = conv.isDepthwise ? [cin * cout, 1, kh, kw] : [cout, cin, kh, kw]
                guard expected == shape else {
                    throw .invalidModel(file: graph.file, location: "'\(tfName)' \(source.shape)", problem: "LiteDetect's \(key) needs \(shape)")
                }
                values = [Float](repeating: 0, count: source.count)
                for y in 0..<kh {
                    for x in 0..<kw {
                        for i in 0..<cin {
                            for o in 0..<cout {
                                let from = ((y * kw + x) * cin + i) * cout + o
                                let to = conv.isDepthwise ? ((i * cout + o) * kh + y) * kw + x : ((o * cin + i) * kh + y) * kw + x
                                values[to] = source.values[from]
                            }
                        }
                    }
                }
            } else {
                guard let (name, conv) = layer else {
                    throw .verificationFailed(file: graph.file, problem: "\(key) requested before any convolution")
                }
                let suffix = key.split(separator: ".").last.map(String.init) ?? ""
                if key == name + ".bias" {
                    tfName = conv.scope + "/biases"
                } else {
                    let bn = ["weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"]
                    guard let variable = bn[suffix], case .batchNorm = conv.normalization else {
                        throw .verificationFailed(file: graph.file, problem: "no TF variable for LiteDetect's \(key) (layer \(conv.scope))")
                    }
                    tfName = conv.scope + "/BatchNorm/" + variable
                }
                let source = try graph.floatConstant(tfName)
                guard source.shape == shape else {
                    throw .invalidModel(file: graph.file, location: "'\(tfName)' \(source.shape)", problem: "LiteDetect's \(key) needs \(shape)")
                }
                values = source.values
            }
            guard used.insert(tfName).inserted else {
                throw .verificationFailed(file: graph.file, problem: "'\(tfName)' would be used twice (again for \(key))")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw .invalidModel(file: graph.file, location: "'\(tfName)'", problem: "holds a NaN or infinity at element \(bad)")
            }
            tensors[key] = NamedTensors.Tensor(shape: shape, values: values)
        }
        return (tensors, used)
    }

    /// No learned parameter of the network scopes may be left behind.
    static func checkEveryParameterUsed(_ graph: TensorFlowGraph, used: Set<String>) throws(ImportError) {
        let parameterSuffixes = ["/weights", "/depthwise_weights", "/biases", "/gamma", "/beta", "/moving_mean", "/moving_variance"]
        var unused: [String] = []
        for name in graph.names where name.hasPrefix("FeatureExtractor/") || name.hasPrefix("BoxPredictor_") {
            guard let node = graph.nodes[name], node.op == "Const", node.attr["value"]?.tensor.dtype == .dtFloat else { continue }
            let values = node.attr["value"]?.tensor.tensorShape.dim.reduce(1) { $0 * Int(clamping: $1.size) } ?? 0
            let isParameter = parameterSuffixes.contains { name.hasSuffix($0) }
            if isParameter ? !used.contains(name) : values > 1 { unused.append(name) }
        }
        guard unused.isEmpty else {
            throw .unsupported(
                file: graph.file, location: unused.prefix(5).joined(separator: ", "),
                problem: "\(unused.count) parameter(s) of the network the importer does not map")
        }
    }

    /// One LiteDetect convolution against its TF node: the same operation on the same input.
    static func check(
        _ summary: Network.ConvolutionSummary, against conv: TensorFlowConvolution, graph: TensorFlowGraph,
        outputs: [String: String], input: String
    ) throws(ImportError) {
        let file = graph.file
        let location = "node '\(conv.node.name)' (\(conv.node.op))"
        let g = summary.geometry
        let depthwise = g.groups > 1
        guard depthwise == conv.isDepthwise, g.groups == 1 || g.isDepthwise else {
            throw .verificationFailed(
                file: file, problem: "\(location) is \(conv.isDepthwise ? "" : "not ")depthwise; LiteDetect's \(summary.name) has \(g.groups) groups")
        }
        guard g.kernelHeight == conv.weightShape[0], g.kernelWidth == conv.weightShape[1], g.stride == conv.stride else {
            throw .verificationFailed(
                file: file, problem: "\(location): kernel \(conv.weightShape.prefix(2)), stride \(conv.stride); LiteDetect's \(summary.name): \(g)")
        }
        let activation: Activation = conv.activation == "Relu6" ? .relu6 : conv.activation == "Relu" ? .relu : .identity
        guard activation == summary.activation else {
            let found = conv.activation ?? "no activation (it feeds \(conv.followers.joined(separator: ", ")))"
            throw .unsupported(
                file: file, location: location, problem: "followed by \(found); LiteDetect's \(summary.name) uses \(summary.activation)")
        }
        let producers = try tfProducers(of: conv.input, graph: graph, outputs: outputs, input: input)
        guard producers == summary.producers else {
            throw .verificationFailed(
                file: file,
                problem: "\(location) reads from \(producers.sorted()); LiteDetect's \(summary.name) reads from \(summary.producers.sorted())")
        }
    }

    /// The LiteDetect names of the convolutions whose outputs reach `node`, through additions.
    static func tfProducers(
        of node: Tensorflow_NodeDef, graph: TensorFlowGraph, outputs: [String: String], input: String
    ) throws(ImportError) -> Set<String> {
        if node.name == input { return ["input"] }
        if let name = outputs[node.name] { return [name] }
        if node.op == "Add" || node.op == "AddV2" {
            var result: Set<String> = []
            for operand in try graph.dataInputs(of: node) {
                result.formUnion(try tfProducers(of: operand, graph: graph, outputs: outputs, input: input))
            }
            return result
        }
        throw .unsupported(
            file: graph.file, location: "node '\(node.name)' (\(node.op))", problem: "sits between two convolutions; only additions are mapped")
    }
}
