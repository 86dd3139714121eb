import LiteDetectImportFormats
import LiteDetectKernels
import LiteDetectNN

/// Reads an ONNX graph node by node into a `FeatureGraph`, understanding every node or failing
/// with its name and op.
///
/// Each tensor of the graph becomes a symbol: a feature map (a node of the feature graph, batch
/// 1, NCHW), a constant (integers for shapes and indices, floats for bounds), or a step of the
/// two reshape patterns PyTorch exports: a channel shuffle (`Reshape` to `[1, g, C/g, H, W]`,
/// `Transpose` `[0, 2, 1, 3, 4]`, `Reshape` back) and torchvision's head outputs (`Reshape` to
/// `[1, A, K, H, W]`, `Transpose` `[0, 3, 4, 1, 2]`, `Reshape` to `[1, −1, K]`, `Concat` of the
/// levels on axis 1). Shape arithmetic (`Shape`, `Gather`, `Div`…, as `torch.chunk` exports) is
/// evaluated, since every feature map's shape is known.
struct ONNXGraphReader {
    enum Symbol {
        case feature(Int)
        case integers([Int], dims: [Int])
        case floats([Float], dims: [Int])
        /// A float initializer, decoded when a convolution or BatchNorm takes it.
        case parameter(String)
        /// `[1, outer, inner, H, W]` view of a feature map.
        case split(Int, outer: Int, inner: Int)
        /// The split view with its two channel axes swapped: `[1, inner, outer, H, W]`.
        case swapped(Int, outer: Int, inner: Int)
        /// `[1, H, W, anchors, columns]`: torchvision's per-pixel order of one head level.
        case perPixel(Int, anchors: Int, columns: Int)
        /// `[1, H·W·anchors, columns]`.
        case rows(Int, columns: Int)
        /// The concatenation of several levels' rows: a torchvision head output `[1, A, columns]`.
        case headOutput([Int], columns: Int)
    }

    /// Where a convolution's tensors are in the file.
    struct ConvolutionSource {
        var node: Int
        var weight: String
        var bias: String?
        var batchNorm: BatchNormSource?
    }

    struct BatchNormSource {
        var node: Int
        /// scale (γ), B (β), input_mean, input_var.
        var parameters: [String]
        var epsilon: Float
    }

    let model: ONNXModel
    private(set) var graph = FeatureGraph()
    private(set) var symbols: [String: Symbol] = [:]
    /// Convolution nodes of `graph` and their tensors.
    private(set) var convolutions: [Int: ConvolutionSource] = [:]
    /// Each initializer's uses: "weight" when a layer takes it, else the node that reads it as a constant.
    private(set) var parameterUses: [String: [String]] = [:]
    private(set) var constantUses: [String: [String]] = [:]
    private(set) var inputName = ""
    private(set) var counts: [String: Int] = [:]
    /// The node being read, for error messages.
    private var current = 0
    private var file: String { model.file }

    /// Reads the graph for an input of `height`×`width` when the file leaves them open.
    init(model: ONNXModel, defaultHeight: Int, defaultWidth: Int) throws(ImportError) {
        self.model = model
        let graph = model.graph
        let inputs = graph.input.filter { model.initializers[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw .unsupported(
                file: file, location: "graph inputs", problem: "\(inputs.count) inputs (\(inputs.map(\.name))); one image input is read")
        }
        inputName = input.name
        let type = input.type.tensorType
        guard type.elemType == Onnx_TensorProto.DataType.float.rawValue else {
            throw .unsupported(
                file: file, location: "input '\(input.name)'", problem: "element type \(ONNXModel.typeName(type.elemType)); a float32 image is read")
        }
        let dims = type.shape.dim
        guard dims.count == 4 else {
            throw .unsupported(file: file, location: "input '\(input.name)'", problem: "rank \(dims.count); an NCHW image [1, 3, H, W] is read")
        }
        func size(_ d: Onnx_TensorShapeProto.Dimension, default value: Int?) -> Int? {
            if case let .dimValue(v)? = d.value { return Int(clamping: v) }
            return value
        }
        let batch = size(dims[0], default: 1), channels = size(dims[1], default: nil)
        let height = size(dims[2], default: defaultHeight), width = size(dims[3], default: defaultWidth)
        guard batch == 1, channels == 3, let height, let width, (1...4096).contains(height), (1...4096).contains(width) else {
            throw .unsupported(
                file: file, location: "input '\(input.name)'",
                problem: "shape \(dims.map { $0.dimParam.isEmpty ? "\($0.dimValue)" : $0.dimParam }); an image [1, 3, H, W] is read")
        }
        let shape = FeatureMapShape(height: height, width: width, channels: 3)
        symbols[input.name] = .feature(self.graph.add(.input, [], shape: shape, origin: -1, label: "input '\(input.name)'"))
        for name in model.initializers.keys { symbols[name] = .parameter(name) }
        // Activations of wide concatenations expand into one node per part: bounded, for hostile files.
        let limit = 8 * graph.node.count + 1024
        for index in graph.node.indices {
            try read(index)
            guard self.graph.nodes.count <= limit else {
                throw .unsupported(file: file, location: model.location(index), problem: "the graph expands into more than \(limit) operations")
            }
        }
    }

    var inputShape: FeatureMapShape { graph.nodes[0].shape }

    // MARK: Nodes

    private mutating func read(_ index: Int) throws(ImportError) {
        current = index
        let node = model.graph.node[index]
        let at = model.location(index)
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw .unsupported(file: file, location: at, problem: "operator domain '\(node.domain)'; only standard ONNX ops are read")
        }
        counts[node.opType, default: 0] += 1
        let inputCounts: [String: ClosedRange<Int>] = [
            "Relu": 1...1, "HardSwish": 1...1, "HardSigmoid": 1...1, "Clip": 1...3, "GlobalAveragePool": 1...1, "MaxPool": 1...1,
            "AveragePool": 1...1, "Identity": 1...1, "Constant": 0...0, "Shape": 1...1, "Gather": 2...2, "Cast": 1...1,
            "Unsqueeze": 1...2, "Squeeze": 1...2, "Transpose": 1...1, "Split": 1...2,
        ]
        if let expected = inputCounts[node.opType], !expected.contains(node.input.count) {
            throw .invalidModel(
                file: file, location: at,
                problem:
                    "\(node.input.count) inputs; \(node.opType) takes \(expected.lowerBound == expected.upperBound ? "\(expected.lowerBound)" : "\(expected.lowerBound)…\(expected.upperBound)")"
            )
        }
        let outputs = node.output
        func setOutput(_ symbol: Symbol) throws(ImportError) {
            guard outputs.count == 1 else { throw .unsupported(file: file, location: at, problem: "\(outputs.count) outputs; one is read") }
            symbols[outputs[0]] = symbol
        }
        func label(_ kind: String) -> String { "\(at)" + (kind.isEmpty ? "" : " \(kind)") }
        switch node.opType {
        case "Conv":
            try setOutput(.feature(try readConvolution(index)))
        case "BatchNormalization":
            try setOutput(.feature(try readBatchNorm(index)))
        case "Relu", "HardSwish", "Clip", "HardSigmoid":
            let activation = try readActivation(index)
            let x = try feature(node, 0)
            try setOutput(.feature(graph.add(.activation(activation), [x], shape: shape(x), origin: index, label: label(""))))
        case "Add", "Mul", "Sub", "Div":
            try setOutput(try readArithmetic(index))
        case "GlobalAveragePool":
            _ = try model.attributes(of: index, known: [])
            let x = try feature(node, 0)
            let s = shape(x)
            try setOutput(
                .feature(
                    graph.add(
                        .globalAveragePool, [x], shape: FeatureMapShape(height: 1, width: 1, channels: s.channels), origin: index, label: label(""))))
        case "MaxPool", "AveragePool":
            try setOutput(.feature(try readPool(index)))
        case "Concat":
            try setOutput(try readConcat(index))
        case "Reshape":
            try setOutput(try readReshape(index))
        case "Transpose":
            try setOutput(try readTranspose(index))
        case "Slice":
            try setOutput(try readSlice(index))
        case "Split":
            try readSplit(index)
        case "Identity":
            _ = try model.attributes(of: index, known: [])
            try setOutput(try symbol(node, 0))
        case "Constant":
            try setOutput(try readConstant(index))
        case "Shape":
            let attributes = try model.attributes(of: index, known: ["start", "end"])
            let x = try feature(node, 0)
            let s = shape(x)
            let all = [1, s.channels, s.height, s.width]
            let start = try clampedAxis(attributes["start"].map { Int($0.i) } ?? 0, rank: 4, at: at)
            let end = try clampedAxis(attributes["end"].map { Int($0.i) } ?? 4, rank: 4, at: at)
            let values = start < end ? Array(all[start..<end]) : []
            try setOutput(.integers(values, dims: [values.count]))
        case "Gather":
            let attributes = try model.attributes(of: index, known: ["axis"])
            let (values, dims) = try integers(node, 0)
            let (indices, indexDims) = try integers(node, 1)
            guard dims.count == 1, (attributes["axis"]?.i ?? 0) == 0 else {
                throw .unsupported(
                    file: file, location: at,
                    problem: "gathers from a tensor of dims \(dims) on axis \(attributes["axis"]?.i ?? 0); only 1-D shape arithmetic is read")
            }
            var result: [Int] = []
            for i in indices {
                let j = i < 0 ? i + values.count : i
                guard values.indices.contains(j) else {
                    throw .invalidModel(file: file, location: at, problem: "index \(i) outside \(values.count) values")
                }
                result.append(values[j])
            }
            try setOutput(.integers(result, dims: indexDims))
        case "Unsqueeze", "Squeeze":
            let attributes = try model.attributes(of: index, known: ["axes"])
            let (values, _) = try integers(node, 0)
            if node.input.count > 1 { _ = try integers(node, 1) } else { _ = attributes }
            // Only scalars and 1-D vectors occur in shape arithmetic: the values stay as they are.
            try setOutput(.integers(values, dims: node.opType == "Unsqueeze" ? [values.count] : values.count == 1 ? [] : [values.count]))
        case "Cast":
            let attributes = try model.attributes(of: index, known: ["to", "saturate"])
            let to = Int32(clamping: attributes["to"]?.i ?? 0)
            guard to == Onnx_TensorProto.DataType.int64.rawValue || to == Onnx_TensorProto.DataType.int32.rawValue else {
                throw .unsupported(file: file, location: at, problem: "casts to \(ONNXModel.typeName(to)); only integer shape arithmetic is read")
            }
            let (values, dims) = try integers(node, 0)
            try setOutput(.integers(values, dims: dims))
        default:
            throw .unsupported(file: file, location: at, problem: "the op '\(node.opType)' is not mapped onto LiteDetect's layers")
        }
    }

    // MARK: Convolution and BatchNorm

    private mutating func readConvolution(_ index: Int) throws(ImportError) -> Int {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"])
        guard node.input.count == 2 || node.input.count == 3 else {
            throw .invalidModel(file: file, location: at, problem: "\(node.input.count) inputs")
        }
        let x = try feature(node, 0)
        let input = shape(x)
        let weight = try parameterName(node, 1, role: "weight of \(at)")
        let bias = node.input.count == 3 ? try parameterName(node, 2, role: "bias of \(at)") : nil
        guard let weightTensor = model.initializers[weight] else {
            throw .invalidModel(file: file, location: at, problem: "weight '\(weight)' is not an initializer")
        }
        let (dims, _) = try model.elementCount(weightTensor, location: "initializer '\(weight)'")
        guard dims.count == 4 else {
            throw .unsupported(file: file, location: at, problem: "weight '\(weight)' has dims \(dims); 2-D convolutions are read")
        }
        if let auto = attributes["auto_pad"], String(decoding: auto.s, as: UTF8.self) != "NOTSET" {
            throw .unsupported(file: file, location: at, problem: "auto_pad \(String(decoding: auto.s, as: UTF8.self)); explicit pads are read")
        }
        let kernel = attributes["kernel_shape"].map { $0.ints.map { Int(clamping: $0) } } ?? [dims[2], dims[3]]
        let strides = attributes["strides"].map { $0.ints.map { Int(clamping: $0) } } ?? [1, 1]
        let pads = attributes["pads"].map { $0.ints.map { Int(clamping: $0) } } ?? [0, 0, 0, 0]
        let dilations = attributes["dilations"].map { $0.ints.map { Int(clamping: $0) } } ?? [1, 1]
        let groups = Int(clamping: attributes["group"]?.i ?? 1)
        guard dims.allSatisfy({ $0 >= 1 }) else { throw .invalidModel(file: file, location: at, problem: "weight '\(weight)' has dims \(dims)") }
        guard kernel == [dims[2], dims[3]] else {
            throw .invalidModel(file: file, location: at, problem: "kernel_shape \(kernel) but weight '\(weight)' has dims \(dims)")
        }
        guard kernel[0] == kernel[1], strides.count == 2, strides[0] == strides[1], strides[0] >= 1 else {
            throw .unsupported(
                file: file, location: at, problem: "kernel \(kernel), strides \(strides); square kernels with equal strides are mapped")
        }
        guard dilations == [1, 1] else { throw .unsupported(file: file, location: at, problem: "dilations \(dilations)") }
        guard pads.count == 4, pads.allSatisfy({ (0...64).contains($0) }) else {
            throw .unsupported(file: file, location: at, problem: "pads \(pads)")
        }
        guard groups >= 1, input.channels % groups == 0, dims[1] * groups == input.channels, dims[0] % groups == 0 else {
            throw .invalidModel(
                file: file, location: at,
                problem: "weight '\(weight)' of dims \(dims) with group \(groups) does not fit an input of \(input.channels) channels")
        }
        if let bias {
            let (biasDims, _) = try model.elementCount(model.initializers[bias]!, location: "initializer '\(bias)'")
            guard biasDims == [dims[0]] else {
                throw .invalidModel(file: file, location: at, problem: "bias '\(bias)' has dims \(biasDims), expected [\(dims[0])]")
            }
        }
        // ONNX pads are [top, left, bottom, right].
        let geometry = ConvolutionGeometry(
            input: input, outputChannels: dims[0], kernelHeight: kernel[0], kernelWidth: kernel[1], stride: strides[0],
            padding: Padding(top: pads[0], left: pads[1], bottom: pads[2], right: pads[3]), groups: groups)
        if let problem = geometry.problem { throw .unsupported(file: file, location: at, problem: problem) }
        let conv = graph.add(.convolution(geometry), [x], shape: geometry.output, origin: index, label: at)
        convolutions[conv] = ConvolutionSource(node: index, weight: weight, bias: bias)
        return conv
    }

    private mutating func readBatchNorm(_ index: Int) throws(ImportError) -> Int {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"])
        if attributes["training_mode"]?.i ?? 0 != 0 {
            throw .unsupported(file: file, location: at, problem: "training_mode is 1 (not an inference graph)")
        }
        if let spatial = attributes["spatial"], spatial.i != 1 { throw .unsupported(file: file, location: at, problem: "spatial is \(spatial.i)") }
        guard node.input.count == 5, node.output.count == 1 || node.output.dropFirst().allSatisfy(\.isEmpty) else {
            throw .unsupported(
                file: file, location: at,
                problem: "\(node.input.count) inputs and \(node.output.count) outputs; the inference form (5 inputs, 1 output) is read")
        }
        let x = try feature(node, 0)
        guard var conv = convolutions[x], conv.batchNorm == nil else {
            throw .unsupported(
                file: file, location: at,
                problem: "normalises \(graph.nodes[x].label), not a convolution's output; LiteDetect folds BatchNorm into the convolution before it")
        }
        let convOutput = model.graph.node[conv.node].output[0]
        guard model.readers[convOutput]?.count == 1, !model.outputNames.contains(convOutput) else {
            throw .unsupported(file: file, location: at, problem: "the convolution's output before BatchNorm is also read elsewhere")
        }
        var parameters: [String] = []
        for i in 1...4 {
            let name = try parameterName(node, i, role: "BatchNorm parameter of \(at)")
            let (dims, _) = try model.elementCount(model.initializers[name]!, location: "initializer '\(name)'")
            guard dims == [shape(x).channels] else {
                throw .invalidModel(file: file, location: at, problem: "'\(name)' has dims \(dims), expected [\(shape(x).channels)]")
            }
            parameters.append(name)
        }
        conv.batchNorm = BatchNormSource(node: index, parameters: parameters, epsilon: attributes["epsilon"]?.f ?? 1e-5)
        convolutions[x] = conv
        return x
    }

    // MARK: Activations and arithmetic

    private mutating func readActivation(_ index: Int) throws(ImportError) -> Activation {
        let node = model.graph.node[index]
        let at = model.location(index)
        switch node.opType {
        case "Relu":
            _ = try model.attributes(of: index, known: [])
            return .relu
        case "HardSwish":
            _ = try model.attributes(of: index, known: [])
            return .hardSwish
        case "HardSigmoid":
            let attributes = try model.attributes(of: index, known: ["alpha", "beta"])
            let alpha = attributes["alpha"]?.f ?? 0.2, beta = attributes["beta"]?.f ?? 0.5
            guard alpha == Float(1) / 6, beta == 0.5 else {
                throw .unsupported(
                    file: file, location: at,
                    problem: "alpha \(alpha), beta \(beta); LiteDetect's hard sigmoid is relu6(x + 3) / 6 (alpha 1/6, beta 0.5)")
            }
            return .hardSigmoid
        default:  // Clip
            let attributes = try model.attributes(of: index, known: ["min", "max"])
            var low = attributes["min"]?.f, high = attributes["max"]?.f
            if node.input.count > 1, !node.input[1].isEmpty { low = try floatScalar(node, 1) }
            if node.input.count > 2, !node.input[2].isEmpty { high = try floatScalar(node, 2) }
            switch (low, high) {
            case (0?, 6?): return .relu6
            case (0?, nil): return .relu
            default:
                throw .unsupported(
                    file: file, location: at,
                    problem:
                        "clips to [\(low.map { "\($0)" } ?? "−∞"), \(high.map { "\($0)" } ?? "∞")]; only [0, 6] (ReLU6) and [0, ∞) (ReLU) are mapped")
            }
        }
    }

    private mutating func readArithmetic(_ index: Int) throws(ImportError) -> Symbol {
        let node = model.graph.node[index]
        let at = model.location(index)
        _ = try model.attributes(of: index, known: [])
        guard node.input.count == 2 else { throw .invalidModel(file: file, location: at, problem: "\(node.input.count) inputs") }
        let a = try symbol(node, 0), b = try symbol(node, 1)
        switch (a, b) {
        case let (.feature(x), .feature(y)):
            let sx = shape(x), sy = shape(y)
            if node.opType == "Add", sx == sy {
                return .feature(graph.add(.add, [x, y], shape: sx, origin: index, label: at))
            }
            // x · hardsigmoid(x): hard-swish as opsets before 14 spell it.
            if node.opType == "Mul", sx == sy {
                for (value, gate) in [(x, y), (y, x)]
                where graph.nodes[gate].operation == .activation(.hardSigmoid) && graph.nodes[gate].inputs == [value] {
                    return .feature(graph.add(.activation(.hardSwish), [value], shape: sx, origin: index, label: at))
                }
            }
            if node.opType == "Mul", sx.channels == sy.channels, sx.height * sx.width == 1 || sy.height * sy.width == 1 {
                let (map, scales) = sy.height * sy.width == 1 ? (x, y) : (y, x)
                return .feature(graph.add(.scaleChannels, [map, scales], shape: shape(map), origin: index, label: at))
            }
            throw .unsupported(
                file: file, location: at,
                problem: "\(node.opType) of feature maps \(sx) and \(sy); LiteDetect adds equal shapes and scales channels by a 1×1 map")
        case (.integers, _), (_, .integers):
            let (x, xd) = try integers(node, 0), (y, yd) = try integers(node, 1)
            guard x.count == y.count || x.count == 1 || y.count == 1 else {
                throw .invalidModel(file: file, location: at, problem: "operands of \(x.count) and \(y.count) values")
            }
            let n = max(x.count, y.count)
            var result: [Int] = []
            for i in 0..<n {
                let p = x[x.count == 1 ? 0 : i], q = y[y.count == 1 ? 0 : i]
                switch node.opType {
                case "Add": result.append(p &+ q)
                case "Sub": result.append(p &- q)
                case "Mul": result.append(p &* q)
                default:
                    guard q != 0 else { throw .invalidModel(file: file, location: at, problem: "divides by zero") }
                    result.append(p / q)
                }
            }
            return .integers(result, dims: xd.count >= yd.count ? (x.count == n ? xd : yd) : (y.count == n ? yd : xd))
        default:
            throw .unsupported(file: file, location: at, problem: "\(node.opType) of \(describe(a)) and \(describe(b)) is not mapped")
        }
    }

    // MARK: Pools, concatenation, slices

    private mutating func readPool(_ index: Int) throws(ImportError) -> Int {
        let node = model.graph.node[index]
        let at = model.location(index)
        let isMax = node.opType == "MaxPool"
        let known: Set<String> =
            isMax
            ? ["kernel_shape", "strides", "pads", "ceil_mode", "dilations", "auto_pad", "storage_order"]
            : ["kernel_shape", "strides", "pads", "ceil_mode", "dilations", "auto_pad", "count_include_pad"]
        let attributes = try model.attributes(of: index, known: known)
        guard node.output.count == 1 || node.output.dropFirst().allSatisfy(\.isEmpty) else {
            throw .unsupported(file: file, location: at, problem: "the indices output is not mapped")
        }
        let x = try feature(node, 0)
        let kernel = attributes["kernel_shape"]?.ints.map { Int(clamping: $0) } ?? []
        let strides = attributes["strides"].map { $0.ints.map { Int(clamping: $0) } } ?? [1, 1]
        let pads = attributes["pads"].map { $0.ints.map { Int(clamping: $0) } } ?? [0, 0, 0, 0]
        let dilations = attributes["dilations"].map { $0.ints.map { Int(clamping: $0) } } ?? [1, 1]
        let ceil = (attributes["ceil_mode"]?.i ?? 0) != 0
        if let auto = attributes["auto_pad"], String(decoding: auto.s, as: UTF8.self) != "NOTSET" {
            throw .unsupported(file: file, location: at, problem: "auto_pad \(String(decoding: auto.s, as: UTF8.self)); explicit pads are read")
        }
        guard kernel.count == 2, kernel[0] == kernel[1], kernel[0] >= 1, strides.count == 2, strides[0] == strides[1], strides[0] >= 1,
            pads.count == 4, pads.allSatisfy({ (0...64).contains($0) }), dilations == [1, 1], (attributes["storage_order"]?.i ?? 0) == 0
        else {
            throw .unsupported(
                file: file, location: at,
                problem: "kernel \(kernel), strides \(strides), pads \(pads), dilations \(dilations); square pools with equal strides are mapped")
        }
        let geometry = PoolGeometry(
            input: shape(x), kernel: kernel[0], stride: strides[0], padding: Padding(top: pads[0], left: pads[1], bottom: pads[2], right: pads[3]),
            ceilMode: ceil)
        if let problem = geometry.problem { throw .unsupported(file: file, location: at, problem: problem) }
        if isMax { return graph.add(.maxPool(geometry), [x], shape: geometry.output, origin: index, label: at) }
        guard !ceil else { throw .unsupported(file: file, location: at, problem: "ceil_mode on an average pool") }
        let include = (attributes["count_include_pad"]?.i ?? 0) != 0
        return graph.add(.averagePool(geometry, countIncludePadding: include), [x], shape: geometry.output, origin: index, label: at)
    }

    private mutating func readConcat(_ index: Int) throws(ImportError) -> Symbol {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["axis"])
        let axis = Int(clamping: attributes["axis"]?.i ?? 0)
        let parts = try (0..<node.input.count).map { (i: Int) throws(ImportError) in try symbol(node, i) }
        guard !parts.isEmpty else { throw .invalidModel(file: file, location: at, problem: "no inputs") }
        if case .feature = parts[0] {
            guard axis == 1 || axis == -3 else {
                throw .unsupported(file: file, location: at, problem: "concatenates feature maps on axis \(axis); channels (axis 1) are mapped")
            }
            var values: [Int] = []
            for part in parts {
                guard case let .feature(x) = part else {
                    throw .unsupported(file: file, location: at, problem: "concatenates a feature map with \(describe(part))")
                }
                values.append(x)
            }
            let first = shape(values[0])
            guard values.allSatisfy({ shape($0).height == first.height && shape($0).width == first.width }) else {
                throw .invalidModel(file: file, location: at, problem: "concatenates maps of different sizes \(values.map { shape($0) })")
            }
            let channels = values.reduce(0) { $0 + shape($1).channels }
            return .feature(
                graph.add(
                    .concat, values, shape: FeatureMapShape(height: first.height, width: first.width, channels: channels), origin: index, label: at))
        }
        if case let .rows(_, columns) = parts[0] {
            guard axis == 1 || axis == -2 else {
                throw .unsupported(
                    file: file, location: at, problem: "concatenates head rows on axis \(axis); torchvision concatenates anchors (axis 1)")
            }
            var levels: [Int] = []
            for part in parts {
                guard case let .rows(x, k) = part, k == columns else {
                    throw .unsupported(file: file, location: at, problem: "concatenates head rows of \(columns) columns with \(describe(part))")
                }
                levels.append(x)
            }
            return .headOutput(levels, columns: columns)
        }
        // Shape arithmetic: 1-D integer vectors on axis 0.
        var values: [Int] = []
        for i in 0..<node.input.count { values += try integers(node, i).values }
        guard axis == 0 || axis == -1 else { throw .unsupported(file: file, location: at, problem: "concatenates integers on axis \(axis)") }
        return .integers(values, dims: [values.count])
    }

    private mutating func readSlice(_ index: Int) throws(ImportError) -> Symbol {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["starts", "ends", "axes"])
        let data = try symbol(node, 0)
        var starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if node.input.count >= 3 {
            starts = try integers(node, 1).values
            ends = try integers(node, 2).values
            axes = node.input.count > 3 && !node.input[3].isEmpty ? try integers(node, 3).values : nil
            steps = node.input.count > 4 && !node.input[4].isEmpty ? try integers(node, 4).values : nil
        } else {
            starts = attributes["starts"]?.ints.map { Int(clamping: $0) } ?? []
            ends = attributes["ends"]?.ints.map { Int(clamping: $0) } ?? []
            axes = attributes["axes"]?.ints.map { Int(clamping: $0) }
        }
        guard starts.count == 1, ends.count == 1, (steps ?? [1]) == [1] else {
            throw .unsupported(
                file: file, location: at, problem: "slices \(starts)…\(ends) with steps \(steps ?? [1]); one axis with step 1 is mapped")
        }
        func clamp(_ value: Int, _ size: Int) -> Int { min(max(value < 0 ? value + size : value, 0), size) }
        switch data {
        case let .feature(x):
            let s = shape(x)
            guard let axis = axes?.first ?? 0 as Int?, axis == 1 || axis == -3 else {
                throw .unsupported(
                    file: file, location: at, problem: "slices a feature map on axis \(axes ?? [0]); channel slices (axis 1) are mapped")
            }
            let start = clamp(starts[0], s.channels), end = clamp(ends[0], s.channels)
            guard end > start else { throw .invalidModel(file: file, location: at, problem: "an empty channel slice \(start)..<\(end)") }
            if start == 0 && end == s.channels { return .feature(x) }
            return .feature(
                graph.add(
                    .channelSlice(offset: start, count: end - start), [x],
                    shape: FeatureMapShape(height: s.height, width: s.width, channels: end - start),
                    origin: index, label: at))
        case .integers:
            let (values, dims) = try integers(node, 0)
            guard dims.count == 1, (axes ?? [0]).allSatisfy({ $0 == 0 || $0 == -1 }) else {
                throw .unsupported(file: file, location: at, problem: "slices integers of dims \(dims)")
            }
            let start = clamp(starts[0], values.count), end = clamp(ends[0], values.count)
            let result = start < end ? Array(values[start..<end]) : []
            return .integers(result, dims: [result.count])
        default:
            throw .unsupported(file: file, location: at, problem: "slices \(describe(data))")
        }
    }

    private mutating func readSplit(_ index: Int) throws(ImportError) {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["axis", "split", "num_outputs"])
        let x = try feature(node, 0)
        let s = shape(x)
        let axis = Int(clamping: attributes["axis"]?.i ?? 0)
        guard axis == 1 || axis == -3 else {
            throw .unsupported(file: file, location: at, problem: "splits on axis \(axis); channel splits (axis 1) are mapped")
        }
        var sizes: [Int]
        if node.input.count > 1, !node.input[1].isEmpty {
            sizes = try integers(node, 1).values
        } else if let split = attributes["split"] {
            sizes = split.ints.map { Int(clamping: $0) }
        } else {
            let parts = node.output.count
            guard parts >= 1 else { throw .invalidModel(file: file, location: at, problem: "no outputs") }
            let size = (s.channels + parts - 1) / parts
            sizes = (0..<parts).map { min(size, s.channels - $0 * size) }
        }
        guard sizes.count == node.output.count, sizes.allSatisfy({ (1...s.channels).contains($0) }), sizes.reduce(0, +) == s.channels else {
            throw .invalidModel(file: file, location: at, problem: "splits \(s.channels) channels into \(sizes) for \(node.output.count) outputs")
        }
        var offset = 0
        for (output, size) in zip(node.output, sizes) {
            symbols[output] = .feature(
                graph.add(
                    .channelSlice(offset: offset, count: size), [x], shape: FeatureMapShape(height: s.height, width: s.width, channels: size),
                    origin: index, label: at))
            offset += size
        }
    }

    // MARK: Reshape patterns

    private mutating func readReshape(_ index: Int) throws(ImportError) -> Symbol {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["allowzero"])
        let data = try symbol(node, 0)
        guard node.input.count == 2 else { throw .invalidModel(file: file, location: at, problem: "\(node.input.count) inputs") }
        var target = try integers(node, 1).values
        let allowZero = (attributes["allowzero"]?.i ?? 0) != 0
        let (inputDims, count) = dims(of: data)
        // 0 copies the input's dimension (unless allowzero), −1 takes what is left.
        for i in target.indices where target[i] == 0 && !allowZero {
            guard i < inputDims.count else { throw .invalidModel(file: file, location: at, problem: "shape \(target) copies a missing dimension") }
            target[i] = inputDims[i]
        }
        if let unknown = target.firstIndex(of: -1) {
            var rest = target
            rest.remove(at: unknown)
            guard let known = Self.product(rest), known > 0, let count, count % known == 0 else {
                throw .invalidModel(file: file, location: at, problem: "cannot reshape \(inputDims) to \(target)")
            }
            target[unknown] = count / known
        }
        guard target.allSatisfy({ $0 > 0 }), let product = Self.product(target), product == count else {
            throw .invalidModel(file: file, location: at, problem: "cannot reshape \(inputDims) to \(target)")
        }
        switch data {
        case let .feature(x) where target.count == 5:
            let s = shape(x)
            guard target[0] == 1, target[3] == s.height, target[4] == s.width else { break }
            return .split(x, outer: target[1], inner: target[2])
        case let .swapped(x, outer, inner):
            let s = shape(x)
            guard target == [1, s.channels, s.height, s.width] else { break }
            let shuffled = graph.add(.channelShuffle(groups: outer), [x], shape: s, origin: index, label: at)
            _ = inner
            return .feature(shuffled)
        case let .perPixel(x, _, columns):
            guard target.count == 3, target[0] == 1, target[2] == columns else { break }
            return .rows(x, columns: columns)
        case let .feature(x) where target == [1, shape(x).channels, shape(x).height, shape(x).width]:
            return .feature(x)
        default:
            break
        }
        throw .unsupported(
            file: file, location: at,
            problem: "reshapes \(describe(data)) to \(target); only channel shuffles and torchvision's head outputs are mapped")
    }

    private mutating func readTranspose(_ index: Int) throws(ImportError) -> Symbol {
        let node = model.graph.node[index]
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["perm"])
        let data = try symbol(node, 0)
        let perm = attributes["perm"]?.ints.map { Int(clamping: $0) } ?? []
        if case let .split(x, outer, inner) = data {
            if perm == [0, 2, 1, 3, 4] { return .swapped(x, outer: outer, inner: inner) }
            if perm == [0, 3, 4, 1, 2] { return .perPixel(x, anchors: outer, columns: inner) }
        }
        throw .unsupported(
            file: file, location: at,
            problem: "transposes \(describe(data)) by \(perm); only channel shuffles and torchvision's head outputs are mapped")
    }

    // MARK: Constants

    private mutating func readConstant(_ index: Int) throws(ImportError) -> Symbol {
        let at = model.location(index)
        let attributes = try model.attributes(of: index, known: ["value", "value_float", "value_floats", "value_int", "value_ints"])
        guard attributes.count == 1, let (name, attribute) = attributes.first else {
            throw .invalidModel(file: file, location: at, problem: "a constant needs exactly one value attribute")
        }
        switch name {
        case "value_float": return .floats([attribute.f], dims: [])
        case "value_floats": return .floats(attribute.floats, dims: [attribute.floats.count])
        case "value_int": return .integers([Int(clamping: attribute.i)], dims: [])
        case "value_ints": return .integers(attribute.ints.map { Int(clamping: $0) }, dims: [attribute.ints.count])
        default:
            let tensor = attribute.t
            if tensor.dataType == Onnx_TensorProto.DataType.float.rawValue {
                let (dims, values) = try model.floats(tensor, location: at)
                guard values.count <= 1 << 16 else {
                    throw .unsupported(
                        file: file, location: at, problem: "a float constant of \(values.count) values; parameters must be initializers")
                }
                return .floats(values, dims: dims)
            }
            let (dims, values) = try model.integers(tensor, location: at)
            return .integers(values, dims: dims)
        }
    }

    // MARK: Operands

    func shape(_ node: Int) -> FeatureMapShape { graph.nodes[node].shape }

    private func symbol(_ node: Onnx_NodeProto, _ i: Int) throws(ImportError) -> Symbol {
        guard i < node.input.count, !node.input[i].isEmpty else {
            throw .invalidModel(file: file, location: model.location(current), problem: "input \(i) is missing")
        }
        guard let symbol = symbols[node.input[i]] else {
            throw .invalidModel(
                file: file, location: model.location(current),
                problem: "reads '\(node.input[i])', which no earlier node, input or initializer defines")
        }
        return symbol
    }

    private func feature(_ node: Onnx_NodeProto, _ i: Int) throws(ImportError) -> Int {
        let s = try symbol(node, i)
        guard case let .feature(x) = s else {
            throw .unsupported(
                file: file, location: model.location(current),
                problem: "input \(i) ('\(node.input[i])') is \(describe(s)), where a feature map is mapped")
        }
        return x
    }

    /// An initializer a layer takes as a parameter (counted; decoded later).
    private mutating func parameterName(_ node: Onnx_NodeProto, _ i: Int, role: String) throws(ImportError) -> String {
        let s = try symbol(node, i)
        guard case let .parameter(name) = s else {
            throw .unsupported(
                file: file, location: model.location(current),
                problem: "input \(i) ('\(node.input[i])') is \(describe(s)); parameters must be initializers")
        }
        parameterUses[name, default: []].append(role)
        return name
    }

    private mutating func integers(_ node: Onnx_NodeProto, _ i: Int) throws(ImportError) -> (values: [Int], dims: [Int]) {
        switch try symbol(node, i) {
        case let .integers(values, dims): return (values, dims)
        case let .parameter(name):
            constantUses[name, default: []].append(node.name)
            let (dims, values) = try model.integers(model.initializers[name]!, location: "initializer '\(name)'")
            return (values, dims)
        case let other:
            throw .unsupported(
                file: file, location: model.location(current),
                problem: "input \(i) ('\(node.input[i])') is \(describe(other)), where integers are expected")
        }
    }

    private mutating func floatScalar(_ node: Onnx_NodeProto, _ i: Int) throws(ImportError) -> Float {
        let values: [Float]
        switch try symbol(node, i) {
        case let .floats(v, _): values = v
        case let .parameter(name):
            constantUses[name, default: []].append(node.name)
            values = try model.floats(model.initializers[name]!, location: "initializer '\(name)'").values
        case let other:
            throw .unsupported(
                file: file, location: model.location(current),
                problem: "input \(i) ('\(node.input[i])') is \(describe(other)), where a float scalar is expected")
        }
        guard values.count == 1 else {
            throw .invalidModel(file: file, location: model.location(current), problem: "input \(i) holds \(values.count) values, expected 1")
        }
        return values[0]
    }

    private func clampedAxis(_ axis: Int, rank: Int, at: String) throws(ImportError) -> Int {
        min(max(axis < 0 ? axis + rank : axis, 0), rank)
    }

    /// A symbol's dims as ONNX sees them, and its element count.
    private func dims(of symbol: Symbol) -> (dims: [Int], count: Int?) {
        let d: [Int]
        switch symbol {
        case let .feature(x):
            let s = shape(x)
            d = [1, s.channels, s.height, s.width]
        case let .split(x, outer, inner):
            let s = shape(x)
            d = [1, outer, inner, s.height, s.width]
        case let .swapped(x, outer, inner):
            let s = shape(x)
            d = [1, inner, outer, s.height, s.width]
        case let .perPixel(x, anchors, columns):
            let s = shape(x)
            d = [1, s.height, s.width, anchors, columns]
        case let .rows(x, columns):
            let s = shape(x)
            d = [1, s.height * s.width * s.channels / columns, columns]
        case let .headOutput(levels, columns): d = [1, levels.reduce(0) { $0 + shape($1).elementCount / columns }, columns]
        case let .integers(_, dims), let .floats(_, dims): d = dims
        case let .parameter(name): d = model.initializers[name].map { $0.dims.map { Int(clamping: $0) } } ?? []
        }
        return (d, Self.product(d))
    }

    /// The product of `values`, or nil if one is negative or it overflows.
    static func product(_ values: [Int]) -> Int? {
        var result = 1
        for value in values {
            guard value >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            result = next
        }
        return result
    }

    func describe(_ symbol: Symbol) -> String {
        switch symbol {
        case let .feature(x): return "a feature map \(shape(x)) (from \(graph.nodes[x].label))"
        case let .integers(values, _): return "integers \(values.prefix(8))"
        case let .floats(values, _): return "floats \(values.prefix(8))"
        case let .parameter(name): return "initializer '\(name)'"
        case let .split(x, outer, inner): return "a [1, \(outer), \(inner), H, W] view of \(shape(x))"
        case let .swapped(x, outer, inner): return "a [1, \(inner), \(outer), H, W] transposed view of \(shape(x))"
        case let .perPixel(x, anchors, columns): return "a [1, H, W, \(anchors), \(columns)] view of \(shape(x))"
        case let .rows(x, columns): return "head rows of \(columns) columns from \(shape(x))"
        case let .headOutput(levels, columns): return "a head output of \(levels.count) levels × \(columns) columns"
        }
    }
}
