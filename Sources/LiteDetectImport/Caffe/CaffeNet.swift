import Foundation
import LiteDetectImportFormats
import SwiftProtobuf

/// A Caffe deploy prototxt (text `NetParameter`), indexed for the importer: the layers Caffe
/// would build in the TEST phase, in file order, each bottom resolved to the layer that last
/// wrote that blob (Caffe's in-place layers, `top == bottom`, make a blob name mean different
/// values along the file), and who reads each layer's output.
struct CaffeNet {
    /// Where a bottom's value comes from.
    enum Producer: Hashable {
        /// The network's input blob.
        case input
        /// The top of `layers[index]`.
        case layer(Int)
    }

    let file: String
    /// The layers of the TEST phase, in file order.
    let layers: [Caffe_LayerParameter]
    /// For each layer, the producer of each of its bottoms.
    let bottoms: [[Producer]]
    /// For each layer, the layers reading one of its tops (each reader once, in file order).
    let readers: [[Int]]
    /// Layers left out by their `include`/`exclude` rules (TRAIN-only layers), by name.
    let excluded: [String]
    /// The input blob's name and shape `[N, C, H, W]`.
    let inputName: String
    let inputShape: [Int]
    /// The `Input` layer, when the input is declared by one rather than by `input:`/`input_shape`.
    let inputLayer: Int?

    /// Parses the prototxt strictly (an unknown field or a misspelt name is an error naming the
    /// layer it is in), drops the layers the TEST phase excludes and resolves every bottom.
    init(data: Data, file: String) throws(ImportError) {
        self.file = file
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(file: file, reason: "a prototxt must be UTF-8 text") }
        let net: Caffe_NetParameter
        do {
            net = try Caffe_NetParameter(textFormatString: text)
        } catch {
            throw .malformed(file: file, reason: CaffeTextDiagnosis.locate(error, in: text))
        }
        guard net.layers.isEmpty else {
            throw .unsupported(
                file: file, location: "layers (V1)",
                problem: "the net uses the pre-2015 'layers' field; upgrade it with Caffe's upgrade_net_proto_text first")
        }
        guard !net.layer.isEmpty else { throw .malformed(file: file, reason: "the prototxt defines no layers (empty, or not a Caffe net)") }

        // The TEST phase, as Caffe's Net::FilterNet decides it (a deploy net is built for TEST
        // whatever phase its `state` names; level and stages are the file's).
        var state = net.state
        state.phase = .test
        var kept: [Caffe_LayerParameter] = []
        var excluded: [String] = []
        for layer in net.layer {
            let location = Self.location(layer)
            var included = layer.include.isEmpty
            for rule in layer.include where Self.meets(rule, state) { included = true }
            if !layer.include.isEmpty && !layer.exclude.isEmpty {
                throw .invalidModel(file: file, location: location, problem: "has both include and exclude rules")
            }
            for rule in layer.exclude where Self.meets(rule, state) { included = false }
            if included { kept.append(layer) } else { excluded.append(layer.name) }
        }
        layers = kept
        self.excluded = excluded

        // The input: `input:` + `input_shape` (or `input_dim`), or one `Input` layer.
        var inputName = "", inputShape: [Int] = [], inputLayer: Int?
        let inputLayers = kept.indices.filter { kept[$0].type == "Input" }
        switch (net.input.count, inputLayers.count) {
        case (1, 0):
            inputName = net.input[0]
            if net.inputShape.count == 1 {
                inputShape = net.inputShape[0].dim.map { Int(clamping: $0) }
            } else if net.inputShape.isEmpty, net.inputDim.count == 4 {
                inputShape = net.inputDim.map(Int.init)
            } else {
                throw .invalidModel(file: file, location: "input '\(inputName)'", problem: "needs one input_shape (or four input_dim values)")
            }
        case (0, 1):
            let index = inputLayers[0], layer = kept[index]
            guard layer.top.count == 1, layer.bottom.isEmpty, layer.inputParam.shape.count == 1 else {
                throw .unsupported(file: file, location: Self.location(layer), problem: "one top with one shape is mapped")
            }
            inputName = layer.top[0]
            inputShape = layer.inputParam.shape[0].dim.map { Int(clamping: $0) }
            inputLayer = index
        default:
            throw .unsupported(
                file: file, location: "input",
                problem: "\(net.input.count) 'input' blobs and \(inputLayers.count) Input layers; one network input is mapped")
        }
        guard inputShape.count == 4, inputShape[0] >= 1, inputShape[1] == 3, inputShape[2...].allSatisfy({ (16...4096).contains($0) }) else {
            throw .unsupported(
                file: file, location: "input '\(inputName)'", problem: "shape \(inputShape); [N, 3, H, W] with H and W in 16…4096 is mapped")
        }
        self.inputName = inputName
        self.inputShape = inputShape
        self.inputLayer = inputLayer

        // Bottoms → producers, following in-place layers.
        var latest: [String: Producer] = [inputName: .input]
        var bottoms: [[Producer]] = []
        var readers = [[Int]](repeating: [], count: kept.count)
        for (index, layer) in kept.enumerated() {
            var producers: [Producer] = []
            for name in layer.bottom {
                guard let producer = latest[name] else {
                    throw .invalidModel(file: file, location: Self.location(layer), problem: "reads blob '\(name)', which no layer before it writes")
                }
                producers.append(producer)
                if case let .layer(source) = producer, readers[source].last != index { readers[source].append(index) }
            }
            bottoms.append(producers)
            if index != inputLayer { for name in layer.top { latest[name] = .layer(index) } }
        }
        self.bottoms = bottoms
        self.readers = readers
    }

    /// `layer 'conv1/dw' (Convolution)`: how every message names a layer.
    static func location(_ layer: Caffe_LayerParameter) -> String { "layer '\(layer.name)' (\(layer.type))" }

    func location(_ index: Int) -> String { Self.location(layers[index]) }

    /// Caffe's `Net::StateMeetsRule`.
    private static func meets(_ rule: Caffe_NetStateRule, _ state: Caffe_NetState) -> Bool {
        if rule.hasPhase && rule.phase != state.phase { return false }
        if rule.hasMinLevel && state.level < rule.minLevel { return false }
        if rule.hasMaxLevel && state.level > rule.maxLevel { return false }
        if rule.stage.contains(where: { !state.stage.contains($0) }) { return false }
        if rule.notStage.contains(where: { state.stage.contains($0) }) { return false }
        return true
    }

    /// The producers of layer `index`'s bottoms, or an error unless there are exactly `count`.
    func bottoms(of index: Int, count: Int) throws(ImportError) -> [Producer] {
        guard bottoms[index].count == count, layers[index].top.count == 1 else {
            throw .invalidModel(
                file: file, location: location(index),
                problem: "has \(bottoms[index].count) bottoms and \(layers[index].top.count) tops; expected \(count) and 1")
        }
        return bottoms[index]
    }

    /// The layer behind `producer`, or an error saying what was expected there.
    func layer(_ producer: Producer, expected: String, readBy reader: Int) throws(ImportError) -> Int {
        guard case let .layer(index) = producer else {
            throw .unsupported(file: file, location: location(reader), problem: "reads the network input where \(expected) is expected")
        }
        return index
    }
}

/// Finds where a text-format prototxt stops parsing: SwiftProtobuf's errors carry no position, so
/// each top-level `layer { … }` block is parsed alone and the first that fails is named.
enum CaffeTextDiagnosis {
    static func locate(_ error: any Error, in text: String) -> String {
        let what = describe(error)
        for block in layerBlocks(in: text) {
            do {
                _ = try Caffe_LayerParameter(textFormatString: block.body)
            } catch {
                let name = topLevelString("name", in: block.body).map { "'\($0)'" } ?? "without a name"
                let type = topLevelString("type", in: block.body) ?? "no type"
                return "layer \(name) (\(type)) at line \(block.line): \(describe(error))"
            }
        }
        return "\(what) (outside the layer blocks)"
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? TextFormatDecodingError else { return "\(error)" }
        switch error {
        case .unknownField: return "a field the Caffe (SSD) schema does not have"
        case .unrecognizedEnumValue: return "an enum value the Caffe (SSD) schema does not have"
        case .malformedText, .trailingGarbage: return "malformed text"
        case .malformedNumber: return "a malformed number"
        case .truncated: return "the text ends inside a message"
        default: return "\(error)"
        }
    }

    /// The bodies of the top-level `layer { … }` blocks and the line each starts on. Braces inside
    /// strings and `#` comments are skipped; an unterminated block runs to the end of the text.
    static func layerBlocks(in text: String) -> [(body: String, line: Int)] {
        let scalars = Array(text.unicodeScalars)
        var blocks: [(body: String, line: Int)] = []
        var depth = 0, line = 1, i = 0
        var start: (index: Int, line: Int)?
        var pendingLayer = false
        func body(_ from: Int, _ to: Int) -> String { String(String.UnicodeScalarView(scalars[from..<to])) }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" { line += 1 }
            if c == "#" {
                while i < scalars.count && scalars[i] != "\n" { i += 1 }
                continue
            }
            if c == "\"" || c == "'" {
                i += 1
                while i < scalars.count && scalars[i] != c {
                    if scalars[i] == "\\" { i += 1 }
                    if i < scalars.count && scalars[i] == "\n" { line += 1 }
                    i += 1
                }
                i += 1
                continue
            }
            if depth == 0, c == "l", i + 5 <= scalars.count, body(i, i + 5) == "layer",
                i == 0 || !isIdentifier(scalars[i - 1]), i + 5 == scalars.count || !isIdentifier(scalars[i + 5])
            {
                pendingLayer = true
                i += 5
                continue
            }
            if c == "{" {
                if depth == 0 && pendingLayer { start = (i + 1, line) }
                depth += 1
                pendingLayer = false
            } else if c == "}" {
                depth -= 1
                if depth == 0, let open = start {
                    blocks.append((body(open.index, i), open.line))
                    start = nil
                }
                if depth < 0 { depth = 0 }
            } else if !(c == ":" || c.properties.isWhitespace) {
                if depth == 0 { pendingLayer = false }
            }
            i += 1
        }
        if let open = start { blocks.append((body(open.index, scalars.count), open.line)) }
        return blocks
    }

    private static func isIdentifier(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c) }

    /// The value of `key: "…"` at the top level of a block body (not inside a nested message).
    static func topLevelString(_ key: String, in body: String) -> String? {
        var depth = 0
        for rawLine in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if depth == 0, trimmed.hasPrefix(key), let colon = trimmed.firstIndex(of: ":"),
                trimmed[trimmed.startIndex..<colon].trimmingCharacters(in: .whitespaces) == key
            {
                let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if let quote = value.first, quote == "\"" || quote == "'", let end = value.dropFirst().firstIndex(of: quote) {
                    return String(value[value.index(after: value.startIndex)..<end])
                }
            }
            depth += line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count
        }
        return nil
    }
}
