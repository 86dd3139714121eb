import LiteDetectKernels
import LiteDetectNN

extension CaffeSSDImporter {
    /// Takes each tensor LiteDetect asked for from the caffemodel blob that holds it. Caffe's
    /// `[out, in/group, kh, kw]` weights are already PyTorch's layout; with BatchNorm merged, every
    /// convolution's bias is its blob 1 (`<name>.bias`, also where LiteDetect's folded BatchNorm
    /// goes). Each blob may be taken once.
    static func gatherTensors(
        _ requests: [(name: String, shape: [Int])], convolutions: [String: CaffeConvolution], weights: CaffeWeights
    ) throws(ImportError) -> ([String: NamedTensors.Tensor], Set<CaffeWeights.BlobID>) {
        var tensors: [String: NamedTensors.Tensor] = [:]
        var used: Set<CaffeWeights.BlobID> = []
        for (key, shape) in requests {
            let (name, blobIndex): (String, Int)
            if key.hasSuffix(".weight") {
                (name, blobIndex) = (String(key.dropLast(".weight".count)), 0)
            } else if key.hasSuffix(".bias") {
                (name, blobIndex) = (String(key.dropLast(".bias".count)), 1)
            } else {
                throw .verificationFailed(file: weights.file, problem: "LiteDetect asks for \(key), which no Caffe blob holds")
            }
            guard let conv = convolutions[name] else {
                throw .verificationFailed(file: weights.file, problem: "no Caffe layer is mapped to LiteDetect's \(key)")
            }
            guard blobIndex == 0 || conv.hasBias else {
                throw .unsupported(
                    file: weights.file, location: "layer '\(conv.name)' (Convolution)",
                    problem: "bias_term false; LiteDetect's merged-BatchNorm layout takes a bias for every convolution")
            }
            let blob = try weights.blob(conv.name, type: "Convolution", index: blobIndex, of: conv.hasBias ? 2 : 1)
            // Pre-2015 blobs are 4-D: a bias is [1, 1, 1, out].
            let matches = blob.shape == shape || (blob.legacyShape && blob.shape.drop { $0 == 1 } == shape.drop { $0 == 1 })
            guard matches else {
                throw .invalidModel(
                    file: weights.file, location: "layer '\(conv.name)' (Convolution) blob \(blobIndex) \(blob.shape)",
                    problem: "LiteDetect's \(key) needs \(shape)")
            }
            guard used.insert(CaffeWeights.BlobID(layer: conv.name, index: blobIndex)).inserted else {
                throw .verificationFailed(
                    file: weights.file, problem: "blob \(blobIndex) of layer '\(conv.name)' would be used twice (again for \(key))")
            }
            tensors[key] = NamedTensors.Tensor(shape: shape, values: blob.values)
        }
        return (tensors, used)
    }

    /// One LiteDetect convolution against its Caffe layer: the same operation on the same input.
    static func check(
        _ summary: Network.ConvolutionSummary, against conv: CaffeConvolution, net: CaffeNet, outputs: [Int: String]
    ) throws(ImportError) {
        let file = net.file
        let location = net.location(conv.index)
        let g = summary.geometry
        func mismatch(_ caffe: String, _ liteDetect: String) -> ImportError {
            .verificationFailed(file: file, problem: "\(location) has \(caffe); LiteDetect's \(summary.name) has \(liteDetect)")
        }
        guard g.outputChannels == conv.outputs else { throw mismatch("num_output \(conv.outputs)", "\(g.outputChannels) output channels") }
        guard g.groups == conv.group else { throw mismatch("group \(conv.group)", "\(g.groups) groups") }
        guard g.kernelHeight == conv.kernel, g.kernelWidth == conv.kernel else {
            throw mismatch("kernel \(conv.kernel)", "kernel \(g.kernelHeight)×\(g.kernelWidth)")
        }
        guard g.stride == conv.stride else { throw mismatch("stride \(conv.stride)", "stride \(g.stride)") }
        guard g.padding == .symmetric(conv.pad) else { throw mismatch("pad \(conv.pad)", "padding \(g.padding) (PyTorch's (k − 1)/2)") }
        guard summary.activation == conv.activation else {
            throw mismatch(conv.relu.map { "a ReLU after it (\(net.location($0)))" } ?? "no activation after it", "\(summary.activation)")
        }
        guard summary.residualProducers.isEmpty else { throw mismatch("no residual", "a residual from \(summary.residualProducers.sorted())") }
        let producer: String, described: String
        switch conv.input {
        case .input: (producer, described) = ("input", "the network input")
        case let .layer(index):
            guard let name = outputs[index] else {
                throw .verificationFailed(file: file, problem: "\(location) reads \(net.location(index)), which is no mapped convolution's output")
            }
            (producer, described) = (name, "\(net.location(index)), LiteDetect's \(name)")
        }
        guard summary.producers == [producer] else { throw mismatch("input \(described)", "input \(summary.producers.sorted())") }
    }
}
