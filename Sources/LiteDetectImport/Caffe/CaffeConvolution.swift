import LiteDetectImportFormats
import LiteDetectKernels

/// One `Convolution` layer of a Caffe net, its parameters read and checked, and the `ReLU`
/// (in place or not) that may follow it.
struct CaffeConvolution {
    let index: Int
    let name: String
    let outputs: Int
    /// Square kernels, strides and symmetric pads only (anything else is refused).
    let kernel: Int
    let stride: Int
    let pad: Int
    let group: Int
    let hasBias: Bool
    /// `.relu` when a `ReLU` with `negative_slope` 0 reads the convolution (and nothing else does).
    let activation: Activation
    /// The `ReLU` layer, if any.
    let relu: Int?
    /// What the convolution reads.
    let input: CaffeNet.Producer
    /// The layer whose top the next layers read: the `ReLU`, else the convolution.
    var output: Int { relu ?? index }

    init(layer index: Int, in net: CaffeNet) throws(ImportError) {
        let layer = net.layers[index]
        let file = net.file, location = net.location(index)
        guard layer.type == "Convolution" else { throw .invalidModel(file: file, location: location, problem: "expected a Convolution") }
        self.index = index
        name = layer.name
        input = try net.bottoms(of: index, count: 1)[0]
        guard layer.hasConvolutionParam else { throw .invalidModel(file: file, location: location, problem: "has no convolution_param") }
        let p = layer.convolutionParam
        guard p.hasNumOutput, p.numOutput >= 1 else { throw .invalidModel(file: file, location: location, problem: "needs num_output ≥ 1") }
        outputs = Int(p.numOutput)

        /// `[h, w]` from a repeated field (none: `fallback`; one value: both) or its `_h`/`_w` fields.
        func pair(_ name: String, _ list: [UInt32], _ h: UInt32?, _ w: UInt32?, fallback: Int) throws(ImportError) -> Int {
            let values: [Int]
            if h != nil || w != nil {
                guard let h, let w, list.isEmpty else {
                    throw .invalidModel(file: file, location: location, problem: "\(name): give either \(name)_h and \(name)_w, or \(name)")
                }
                values = [Int(h), Int(w)]
            } else {
                switch list.count {
                case 0: values = [fallback, fallback]
                case 1: values = [Int(list[0]), Int(list[0])]
                case 2: values = list.map(Int.init)
                default: throw .unsupported(file: file, location: location, problem: "\(name) \(list): only 2-D convolutions are mapped")
                }
            }
            guard values[0] == values[1] else {
                throw .unsupported(file: file, location: location, problem: "\(name) \(values[0])×\(values[1]): only square \(name)s are mapped")
            }
            return values[0]
        }
        kernel = try pair("kernel", p.kernelSize, p.hasKernelH ? p.kernelH : nil, p.hasKernelW ? p.kernelW : nil, fallback: 0)
        stride = try pair("stride", p.stride, p.hasStrideH ? p.strideH : nil, p.hasStrideW ? p.strideW : nil, fallback: 1)
        pad = try pair("pad", p.pad, p.hasPadH ? p.padH : nil, p.hasPadW ? p.padW : nil, fallback: 0)
        guard kernel >= 1, stride >= 1 else {
            throw .invalidModel(file: file, location: location, problem: "kernel \(kernel), stride \(stride)")
        }
        if p.dilation.contains(where: { $0 != 1 }) {
            throw .unsupported(file: file, location: location, problem: "dilation \(p.dilation.map(Int.init)); only dilation 1 is mapped")
        }
        if p.hasAxis, p.axis != 1 {
            throw .unsupported(file: file, location: location, problem: "axis \(p.axis); only channel axis 1 is mapped")
        }
        group = Int(p.group)
        guard group >= 1 else { throw .invalidModel(file: file, location: location, problem: "group \(group)") }
        hasBias = p.biasTerm
        if let shared = layer.param.first(where: { $0.hasName && !$0.name.isEmpty }) {
            throw .unsupported(file: file, location: location, problem: "shares parameter '\(shared.name)' with other layers")
        }

        // A ReLU after it: the only reader of its output.
        let readers = net.readers[index]
        let relus = readers.filter { net.layers[$0].type == "ReLU" }
        if relus.isEmpty {
            relu = nil
            activation = .identity
        } else {
            let reluIndex = relus[0], reluLayer = net.layers[reluIndex]
            guard readers.count == 1 else {
                throw .unsupported(
                    file: file, location: location,
                    problem:
                        "its output is read both by \(net.location(reluIndex)) and, unactivated, by \(readers.filter { $0 != reluIndex }.map(net.location).joined(separator: ", "))"
                )
            }
            _ = try net.bottoms(of: reluIndex, count: 1)
            if reluLayer.hasReluParam, reluLayer.reluParam.negativeSlope != 0 {
                throw .unsupported(
                    file: file, location: net.location(reluIndex),
                    problem: "negative_slope \(reluLayer.reluParam.negativeSlope) (a leaky ReLU); only ReLU is mapped")
            }
            relu = reluIndex
            activation = .relu
        }
    }
}
