import Foundation
import LiteDetect
import LiteDetectNN

/// A model read from another framework's files: a LiteDetect config and its weights under
/// LiteDetect's canonical (torchvision) names, already checked by building the network from them.
public struct ImportedModel: Sendable {
    /// The config as it will be written (its `weights` entry names the weights file).
    public let config: ModelConfig
    /// The config file's bytes (readable JSON; `weights` relative to where it is written).
    public let configJSON: Data
    public let tensors: [String: NamedTensors.Tensor]
    /// `__metadata__` of the weights file: the source file and its sha256, the importer.
    public let metadata: [String: String]
    /// What was read and checked, one line each, for the user and for the record.
    public let checks: [String]

    /// The weights as a safetensors file; `float16` halves the bytes and is refused (nil) if a
    /// value would not fit.
    public func weightsFile(storage: SafeTensors.StorageType = .float32) -> Data? {
        SafeTensors.serialize(tensors, metadata: metadata, storage: storage)
    }
}
