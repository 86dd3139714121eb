import Foundation
import LiteDetectImportFormats
import SwiftProtobuf

/// An ONNX `ModelProto`, indexed for the importer: nodes in file order, initializers by name,
/// who reads each tensor, and typed access to tensors and attributes, each failing with the
/// node's name and op (or the initializer's name).
struct ONNXModel {
    let file: String
    let model: Onnx_ModelProto
    var graph: Onnx_GraphProto { model.graph }
    /// The default (`ai.onnx`) opset the file imports.
    let opset: Int
    let initializers: [String: Onnx_TensorProto]
    /// For each tensor name, the indices of the nodes that read it.
    let readers: [String: [Int]]
    /// Names of the graph's outputs.
    let outputNames: [String]

    /// The opsets whose operators this importer reads with their documented semantics.
    static let supportedOpsets = 9...23

    init(data: Data, file: String) throws(ImportError) {
        self.file = file
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .malformed(file: file, reason: "not an ONNX ModelProto (\(error))")
        }
        self.model = model
        guard model.hasGraph, !model.graph.node.isEmpty else { throw .malformed(file: file, reason: "the ModelProto has no graph nodes") }
        guard model.functions.isEmpty else {
            throw .unsupported(
                file: file, location: "functions",
                problem: "the model defines \(model.functions.count) local functions; only graphs of standard ops are read")
        }
        let defaultOpsets = model.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let opset = defaultOpsets.first.map({ Int(clamping: $0.version) }), defaultOpsets.count == 1 else {
            throw .invalidModel(
                file: file, location: "opset_import", problem: "imports the default ONNX opset \(defaultOpsets.count) times; expected once")
        }
        guard Self.supportedOpsets.contains(opset) else {
            throw .unsupported(
                file: file, location: "opset_import",
                problem: "opset \(opset); opsets \(Self.supportedOpsets.lowerBound)…\(Self.supportedOpsets.upperBound) are read")
        }
        self.opset = opset
        let graph = model.graph
        guard graph.sparseInitializer.isEmpty else {
            throw .unsupported(
                file: file, location: "initializer '\(graph.sparseInitializer[0].values.name)'", problem: "sparse initializers are not read")
        }
        var initializers: [String: Onnx_TensorProto] = [:]
        for tensor in graph.initializer {
            guard initializers.updateValue(tensor, forKey: tensor.name) == nil else {
                throw .invalidModel(file: file, location: "initializer '\(tensor.name)'", problem: "two initializers have this name")
            }
        }
        self.initializers = initializers
        var readers: [String: [Int]] = [:]
        var produced: Set<String> = Set(initializers.keys).union(graph.input.map(\.name))
        for (index, node) in graph.node.enumerated() {
            for input in node.input where !input.isEmpty { readers[input, default: []].append(index) }
            for output in node.output where !output.isEmpty {
                guard produced.insert(output).inserted else {
                    throw .invalidModel(
                        file: file, location: Self.describe(node, index),
                        problem: "writes '\(output)', which another node or an initializer already defines")
                }
            }
        }
        self.readers = readers
        outputNames = graph.output.map(\.name)
    }

    // MARK: Naming

    static func describe(_ node: Onnx_NodeProto, _ index: Int) -> String {
        node.name.isEmpty ? "node #\(index) (\(node.opType))" : "node '\(node.name)' (\(node.opType))"
    }

    func location(_ index: Int) -> String { Self.describe(graph.node[index], index) }

    // MARK: Tensors

    /// The element count of `tensor`'s declared dims, refusing negative or impossibly large shapes.
    func elementCount(_ tensor: Onnx_TensorProto, location: String) throws(ImportError) -> (dims: [Int], count: Int) {
        var count = 1
        var dims: [Int] = []
        for dim in tensor.dims {
            guard dim >= 0, dim <= Int64(ModelFile.maxBytes) else {
                throw .invalidModel(file: file, location: location, problem: "dims \(tensor.dims) are negative or impossibly large")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= ModelFile.maxBytes / 4 else {
                throw .invalidModel(file: file, location: location, problem: "dims \(tensor.dims) are impossibly large")
            }
            count = product
            dims.append(Int(dim))
        }
        return (dims, count)
    }

    /// Tensors whose bytes live in another file are refused: the importer reads one file.
    func checkInline(_ tensor: Onnx_TensorProto, location: String) throws(ImportError) {
        if tensor.dataLocation == .external || !tensor.externalData.isEmpty {
            let where_ = tensor.externalData.first { $0.key == "location" }?.value ?? "another file"
            throw .unsupported(
                file: file, location: location,
                problem: "its data is stored externally (\(where_)); save the model with its weights inside the .onnx file")
        }
        if tensor.hasSegment { throw .unsupported(file: file, location: location, problem: "segmented tensors are not read") }
    }

    /// A float32 tensor: dims and values, checked against each other.
    func floats(_ tensor: Onnx_TensorProto, location: String) throws(ImportError) -> (dims: [Int], values: [Float]) {
        try checkInline(tensor, location: location)
        let (dims, count) = try elementCount(tensor, location: location)
        guard tensor.dataType == Onnx_TensorProto.DataType.float.rawValue else {
            throw .unsupported(
                file: file, location: location, problem: "data type \(Self.typeName(tensor.dataType)); only float32 parameters are read")
        }
        if tensor.hasRawData {
            let raw = tensor.rawData
            guard raw.count == count * 4 else {
                throw .invalidModel(
                    file: file, location: location, problem: "dims \(dims) need \(count * 4) bytes of raw_data, the tensor holds \(raw.count)")
            }
            let values = raw.withUnsafeBytes { bytes in
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            return (dims, values)
        }
        guard tensor.floatData.count == count else {
            throw .invalidModel(
                file: file, location: location, problem: "dims \(dims) hold \(count) values, float_data lists \(tensor.floatData.count)")
        }
        return (dims, tensor.floatData)
    }

    /// An integer tensor (int64 or int32) as `Int`s.
    func integers(_ tensor: Onnx_TensorProto, location: String) throws(ImportError) -> (dims: [Int], values: [Int]) {
        try checkInline(tensor, location: location)
        let (dims, count) = try elementCount(tensor, location: location)
        guard count <= 1 << 16 else { throw .unsupported(file: file, location: location, problem: "an integer tensor of \(count) values") }
        switch Int(tensor.dataType) {
        case Onnx_TensorProto.DataType.int64.rawValue:
            if tensor.hasRawData {
                guard tensor.rawData.count == count * 8 else {
                    throw .invalidModel(
                        file: file, location: location,
                        problem: "dims \(dims) need \(count * 8) bytes of raw_data, the tensor holds \(tensor.rawData.count)")
                }
                return (
                    dims,
                    tensor.rawData.withUnsafeBytes { bytes in
                        (0..<count).map { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
                    }
                )
            }
            guard tensor.int64Data.count == count else {
                throw .invalidModel(
                    file: file, location: location, problem: "dims \(dims) hold \(count) values, int64_data lists \(tensor.int64Data.count)")
            }
            return (dims, tensor.int64Data.map { Int($0) })
        case Onnx_TensorProto.DataType.int32.rawValue:
            if tensor.hasRawData {
                guard tensor.rawData.count == count * 4 else {
                    throw .invalidModel(
                        file: file, location: location,
                        problem: "dims \(dims) need \(count * 4) bytes of raw_data, the tensor holds \(tensor.rawData.count)")
                }
                return (
                    dims,
                    tensor.rawData.withUnsafeBytes { bytes in
                        (0..<count).map { Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
                    }
                )
            }
            guard tensor.int32Data.count == count else {
                throw .invalidModel(
                    file: file, location: location, problem: "dims \(dims) hold \(count) values, int32_data lists \(tensor.int32Data.count)")
            }
            return (dims, tensor.int32Data.map { Int($0) })
        default:
            throw .unsupported(
                file: file, location: location, problem: "data type \(Self.typeName(tensor.dataType)) where an integer tensor is expected")
        }
    }

    static func typeName(_ raw: Int32) -> String {
        Onnx_TensorProto.DataType(rawValue: Int(raw)).map { "\($0)" } ?? "#\(raw)"
    }

    // MARK: Attributes

    /// A node's attributes by name, refusing any the caller does not know.
    func attributes(of index: Int, known: Set<String>) throws(ImportError) -> [String: Onnx_AttributeProto] {
        var result: [String: Onnx_AttributeProto] = [:]
        for attribute in graph.node[index].attribute {
            guard known.contains(attribute.name) else {
                throw .unsupported(file: file, location: location(index), problem: "attribute '\(attribute.name)' is not understood")
            }
            guard result.updateValue(attribute, forKey: attribute.name) == nil else {
                throw .invalidModel(file: file, location: location(index), problem: "attribute '\(attribute.name)' is given twice")
            }
            if attribute.hasRefAttrName {
                throw .unsupported(file: file, location: location(index), problem: "attribute '\(attribute.name)' refers to a function attribute")
            }
        }
        return result
    }
}
