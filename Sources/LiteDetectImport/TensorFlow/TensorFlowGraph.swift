import Foundation
import LiteDetectImportFormats
import SwiftProtobuf

/// A frozen TensorFlow `GraphDef`, indexed for the importer: nodes by name, who consumes what,
/// and typed access to constants and attributes, each failing with the node's name and op.
struct TensorFlowGraph {
    let file: String
    let nodes: [String: Tensorflow_NodeDef]
    /// Node names in file order.
    let names: [String]
    /// For each node, the nodes that read one of its outputs.
    let consumers: [String: [String]]

    init(contentsOf path: String) throws(ImportError) {
        let data = try ModelFile.read(path)
        try self.init(data: data, file: path)
    }

    init(data: Data, file: String) throws(ImportError) {
        self.file = file
        let graph: Tensorflow_GraphDef
        do {
            graph = try Tensorflow_GraphDef(serializedBytes: data)
        } catch {
            throw .malformed(file: file, reason: "not a TensorFlow GraphDef (\(error))")
        }
        guard !graph.node.isEmpty else { throw .malformed(file: file, reason: "the GraphDef has no nodes") }
        if graph.hasLibrary, !graph.library.function.isEmpty {
            throw .unsupported(
                file: file, location: "library",
                problem: "the graph defines \(graph.library.function.count) functions; only frozen graphs of plain ops are read")
        }
        var nodes: [String: Tensorflow_NodeDef] = [:]
        var names: [String] = []
        var consumers: [String: [String]] = [:]
        for node in graph.node {
            guard nodes.updateValue(node, forKey: node.name) == nil else {
                throw .invalidModel(file: file, location: "node '\(node.name)'", problem: "the name is used by two nodes")
            }
            names.append(node.name)
            for input in node.input { consumers[Self.nodeName(of: input), default: []].append(node.name) }
        }
        self.nodes = nodes
        self.names = names
        self.consumers = consumers
    }

    /// `"^name"` (a control input) and `"name:1"` (a second output) both belong to node `name`.
    static func nodeName(of input: String) -> String {
        var name = Substring(input)
        if name.hasPrefix("^") { name = name.dropFirst() }
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) { name = name[..<colon] }
        return String(name)
    }

    func node(_ name: String) throws(ImportError) -> Tensorflow_NodeDef {
        guard let node = nodes[name] else { throw .invalidModel(file: file, location: "node '\(name)'", problem: "not in the graph") }
        return node
    }

    func has(_ name: String) -> Bool { nodes[name] != nil }

    /// Input `index` of `node`, or an error naming the node when it has fewer inputs than its op needs.
    func input(_ node: Tensorflow_NodeDef, _ index: Int) throws(ImportError) -> String {
        guard node.input.indices.contains(index) else {
            throw .invalidModel(
                file: file, location: "node '\(node.name)' (\(node.op))",
                problem: "has \(node.input.count) inputs; \(node.op) needs at least \(index + 1)")
        }
        return node.input[index]
    }

    /// Follows `Identity` nodes (TF's `/read` of a variable, `*_output` aliases) to the node that computes the value.
    func resolve(_ input: String) throws(ImportError) -> Tensorflow_NodeDef {
        var current = try node(Self.nodeName(of: input))
        var steps = 0
        while current.op == "Identity" {
            let data = current.input.filter { !$0.hasPrefix("^") }
            guard data.count == 1 else {
                throw .invalidModel(file: file, location: "node '\(current.name)' (Identity)", problem: "has \(data.count) data inputs")
            }
            current = try node(Self.nodeName(of: data[0]))
            steps += 1
            if steps > nodes.count { throw .invalidModel(file: file, location: "node '\(current.name)'", problem: "Identity nodes form a cycle") }
        }
        return current
    }

    /// The data (non-control) inputs of `node`, resolved through `Identity`.
    func dataInputs(of node: Tensorflow_NodeDef) throws(ImportError) -> [Tensorflow_NodeDef] {
        var result: [Tensorflow_NodeDef] = []
        for input in node.input where !input.hasPrefix("^") { result.append(try resolve(input)) }
        return result
    }

    /// Nodes reading `name`'s output, seen through `Identity` aliases.
    func readers(of name: String) -> [Tensorflow_NodeDef] {
        var result: [Tensorflow_NodeDef] = []
        var pending = consumers[name] ?? []
        var seen: Set<String> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let node = nodes[next] else { continue }
            if node.op == "Identity" { pending += consumers[next] ?? [] } else { result.append(node) }
        }
        return result.sorted { $0.name < $1.name }
    }

    // MARK: Constants

    /// A float32 constant: its shape and values (row-major, TF layout).
    struct FloatTensor {
        var shape: [Int]
        var values: [Float]
        var count: Int { values.count }
    }

    func floatConstant(_ name: String) throws(ImportError) -> FloatTensor {
        let node = try resolve(name)
        let location = "node '\(node.name)' (\(node.op))"
        guard node.op == "Const" else { throw .invalidModel(file: file, location: location, problem: "expected a constant") }
        let tensor = node.attr["value"]?.tensor ?? Tensorflow_TensorProto()
        guard tensor.dtype == .dtFloat else {
            throw .unsupported(file: file, location: location, problem: "constant of type \(tensor.dtype); only float32 parameters are read")
        }
        let shape = tensor.tensorShape.dim.map { Int($0.size) }
        guard shape.allSatisfy({ $0 >= 0 }), !tensor.tensorShape.unknownRank else {
            throw .invalidModel(file: file, location: location, problem: "constant with an unknown or negative shape \(shape)")
        }
        // Overflow-checked: a declared shape is untrusted until it matches the bytes present.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= ModelFile.maxBytes / 4 else {
                throw .invalidModel(file: file, location: location, problem: "shape \(shape) is impossibly large")
            }
            count = product
        }
        let content = tensor.tensorContent
        if !content.isEmpty {
            guard content.count == count * 4 else {
                throw .invalidModel(
                    file: file, location: location, problem: "shape \(shape) needs \(count * 4) bytes, the tensor holds \(content.count)")
            }
            let values = content.withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            return FloatTensor(shape: shape, values: values)
        }
        let listed = tensor.floatVal
        // TF fills a shape from a shorter value list by repeating the last value.
        if listed.count == count { return FloatTensor(shape: shape, values: listed) }
        if let last = listed.last, listed.count < count {
            return FloatTensor(shape: shape, values: listed + Array(repeating: last, count: count - listed.count))
        }
        throw .invalidModel(file: file, location: location, problem: "shape \(shape) holds \(count) values, the tensor lists \(listed.count)")
    }

    /// A scalar (or one-element) float constant.
    func floatScalar(_ name: String) throws(ImportError) -> Float {
        let tensor = try floatConstant(name)
        guard tensor.count == 1 else {
            throw .invalidModel(file: file, location: "node '\(name)'", problem: "expected one value, found shape \(tensor.shape)")
        }
        return tensor.values[0]
    }

    /// An integer constant (int32 or int64), as `Int`s.
    func intConstant(_ name: String) throws(ImportError) -> [Int] {
        let node = try resolve(name)
        let location = "node '\(node.name)' (\(node.op))"
        guard node.op == "Const", let tensor = node.attr["value"]?.tensor else {
            throw .invalidModel(file: file, location: location, problem: "expected an integer constant")
        }
        let count = tensor.tensorShape.dim.reduce(1) { $0 * max(0, Int(clamping: $1.size)) }
        guard count <= 1 << 20 else { throw .invalidModel(file: file, location: location, problem: "integer constant too large") }
        switch tensor.dtype {
        case .dtInt32:
            if !tensor.tensorContent.isEmpty {
                guard tensor.tensorContent.count == count * 4 else {
                    throw .invalidModel(file: file, location: location, problem: "wrong byte count")
                }
                return tensor.tensorContent.withUnsafeBytes { raw in
                    (0..<count).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
                }
            }
            return tensor.intVal.map(Int.init)
        case .dtInt64:
            if !tensor.tensorContent.isEmpty {
                guard tensor.tensorContent.count == count * 8 else {
                    throw .invalidModel(file: file, location: location, problem: "wrong byte count")
                }
                return tensor.tensorContent.withUnsafeBytes { raw in
                    (0..<count).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
                }
            }
            return tensor.int64Val.map { Int($0) }
        default:
            throw .invalidModel(file: file, location: location, problem: "constant of type \(tensor.dtype), expected an integer")
        }
    }

    // MARK: Attributes

    func stringAttribute(_ node: Tensorflow_NodeDef, _ key: String) -> String? {
        node.attr[key].map { String(decoding: $0.s, as: UTF8.self) }
    }

    func intListAttribute(_ node: Tensorflow_NodeDef, _ key: String) -> [Int]? {
        node.attr[key].map { $0.list.i.map { Int($0) } }
    }
}
