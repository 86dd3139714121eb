import Foundation
import LiteDetectImportFormats
import SwiftProtobuf

/// The learned blobs of a binary `.caffemodel`, by layer name. The prototxt defines the network;
/// the caffemodel is only where its parameters are: Caffe matches the two by layer name, and so
/// does the importer. Layers without blobs (the `Input` and `Split` layers Caffe writes into the
/// file, activations) are not kept.
struct CaffeWeights {
    /// One blob as float32 values, row-major in Caffe's layout (`[out, in/group, kh, kw]` for
    /// convolution weights, `[out]` for biases).
    struct Blob {
        var shape: [Int]
        var values: [Float]
        /// The shape came from the pre-2015 `num`/`channels`/`height`/`width` fields, where a
        /// bias is stored as `[1, 1, 1, out]`.
        var legacyShape: Bool
    }

    /// A blob's address: the caffemodel layer's name and the blob's position in it.
    struct BlobID: Hashable, Comparable {
        var layer: String
        var index: Int
        static func < (a: BlobID, b: BlobID) -> Bool { (a.layer, a.index) < (b.layer, b.index) }
    }

    let file: String
    /// Layers holding at least one blob, by name.
    let layers: [String: Caffe_LayerParameter]

    init(data: Data, file: String) throws(ImportError) {
        self.file = file
        let model: Caffe_NetParameter
        do {
            model = try Caffe_NetParameter(serializedBytes: data)
        } catch {
            throw .malformed(file: file, reason: "not a Caffe NetParameter (\(error))")
        }
        guard model.layers.isEmpty else {
            throw .unsupported(
                file: file, location: "layers (V1)",
                problem: "the model uses the pre-2015 'layers' field; upgrade it with Caffe's upgrade_net_proto_binary first")
        }
        guard !model.layer.isEmpty else {
            throw .malformed(file: file, reason: "the caffemodel holds no layers (empty, or not a caffemodel)")
        }
        var layers: [String: Caffe_LayerParameter] = [:]
        for layer in model.layer where !layer.blobs.isEmpty {
            guard layers.updateValue(layer, forKey: layer.name) == nil else {
                throw .invalidModel(file: file, location: CaffeNet.location(layer), problem: "two layers with blobs have this name")
            }
        }
        self.layers = layers
    }

    /// Blob `index` of layer `name`, which must have `type` in the caffemodel and `count` blobs.
    func blob(_ name: String, type: String, index: Int, of count: Int) throws(ImportError) -> Blob {
        guard let layer = layers[name] else {
            throw .invalidModel(file: file, location: "layer '\(name)' (\(type))", problem: "has no weights in the caffemodel")
        }
        let location = CaffeNet.location(layer)
        guard layer.type == type else {
            throw .invalidModel(file: file, location: location, problem: "is a \(type) layer in the prototxt")
        }
        guard layer.blobs.count == count else {
            throw .invalidModel(file: file, location: location, problem: "holds \(layer.blobs.count) blobs; the prototxt's layer needs \(count)")
        }
        let blob = layer.blobs[index]
        var shape: [Int]
        var legacy = false
        if blob.hasShape {
            shape = []
            for dimension in blob.shape.dim {
                guard dimension >= 0, dimension <= Int64(ModelFile.maxBytes) else {
                    throw .invalidModel(file: file, location: "\(location) blob \(index)", problem: "shape \(blob.shape.dim) is impossible")
                }
                shape.append(Int(dimension))
            }
        } else if blob.hasNum || blob.hasChannels || blob.hasHeight || blob.hasWidth {
            shape = [blob.num, blob.channels, blob.height, blob.width].map(Int.init)
            legacy = true
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidModel(file: file, location: "\(location) blob \(index)", problem: "shape \(shape) is impossible")
            }
        } else {
            throw .invalidModel(file: file, location: "\(location) blob \(index)", problem: "has no shape")
        }
        // Overflow-checked: a declared shape is untrusted until it matches the values present.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= ModelFile.maxBytes / 4 else {
                throw .invalidModel(file: file, location: "\(location) blob \(index)", problem: "shape \(shape) is impossibly large")
            }
            count = product
        }
        if blob.data.isEmpty && !blob.doubleData.isEmpty {
            throw .unsupported(file: file, location: "\(location) blob \(index)", problem: "double-precision blobs are not read")
        }
        guard blob.data.count == count else {
            throw .invalidModel(
                file: file, location: "\(location) blob \(index)", problem: "shape \(shape) needs \(count) values, the blob holds \(blob.data.count)")
        }
        if let bad = blob.data.firstIndex(where: { !$0.isFinite }) {
            throw .invalidModel(file: file, location: "\(location) blob \(index)", problem: "holds a NaN or infinity at element \(bad)")
        }
        return Blob(shape: shape, values: blob.data, legacyShape: legacy)
    }

    /// Every blob of the caffemodel must have been taken: leftovers mean the prototxt and the
    /// caffemodel disagree, or layers (an unmerged BatchNorm, say) the importer does not map.
    func checkEveryBlobUsed(_ used: Set<BlobID>) throws(ImportError) {
        var unused: [String] = []
        for (name, layer) in layers.sorted(by: { $0.key < $1.key }) {
            let left = layer.blobs.indices.filter { !used.contains(BlobID(layer: name, index: $0)) }
            if !left.isEmpty {
                unused.append("\(CaffeNet.location(layer)) blob\(left.count == 1 ? "" : "s") \(left.map(String.init).joined(separator: ", "))")
            }
        }
        guard unused.isEmpty else {
            throw .unsupported(
                file: file, location: unused.prefix(5).joined(separator: "; "),
                problem: "\(unused.count) layer(s) of the caffemodel hold blobs the prototxt's network does not use")
        }
    }
}
